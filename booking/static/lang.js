/**
 * The booking pages' language toggle: Indonesian first, English one tap away, remembered on
 * this device under the same key as the visitor's phone page (display/static/phone.js).
 */
import { showLanguage } from "../js/words.js";

const KEY = "antrian.lang";

/** Wire root's [data-lang] buttons and start in the language this device last chose. */
export function languageToggle(root, onChange = () => {}) {
  const choose = (lang) => {
    showLanguage(root, lang);
    try { localStorage.setItem(KEY, lang); } catch { /* private mode: just not remembered */ }
    onChange(lang);
  };
  root.addEventListener("click", (event) => {
    const button = event.target.closest("[data-lang]");
    if (button) choose(button.dataset.lang);
  });
  let saved = null;
  try { saved = localStorage.getItem(KEY); } catch { /* no storage */ }
  if (saved === "en" || saved === "id") showLanguage(root, saved);
}

/** The language shown now. */
export function language() {
  return document.documentElement.lang === "en" ? "en" : "id";
}
