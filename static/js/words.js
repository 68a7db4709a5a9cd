/**
 * Texts in two languages and the few DOM helpers the kiosk, the counter console and the
 * supervisor's page share.
 *
 * Every text is on the page twice, Indonesian and English, each in a span marked `data-l`;
 * base.css shows the one matching <html lang>, so switching language is one attribute.
 *
 *   import { $, say, bi, element, showLanguage } from "../js/words.js";
 *   say($("note"), "Tersimpan.", "Saved.");                  // replace el's text with both
 *   el.append(...bi("Kertas", "Paper"));                     // the two spans, to add to others
 *   element("li", "failed-job", "B001 ", ...bi("gagal", "failed"));
 *   showLanguage(root, "en");                                // flip <html lang> and the toggle
 */

/** A priority visitor's group (a ticket's priority_kind), as the counter console and the reports name it. */
export const PRIORITY_WORDS = {
  lansia: ["Lansia", "Elderly"], disabilitas: ["Disabilitas", "Disability"], ibu_hamil: ["Ibu hamil", "Pregnant"],
  balita: ["Membawa balita", "With a small child"], ya: ["Prioritas", "Priority"],
};

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** Put text in both languages into el; without `en`, the Indonesian text stands in (server messages). */
export function say(el, id, en) {
  el.replaceChildren(...bi(id, en));
}

/** The two spans of a text in both languages; without `en`, the Indonesian text stands in, marked as such. */
export function bi(id, en) {
  return [part("id", id, "id"), en === undefined ? part("en", id, "id") : part("en", en, "en")];
}

function part(shownIn, text, lang) {
  const span = document.createElement("span");
  span.dataset.l = shownIn;
  span.lang = lang;
  span.textContent = text;
  return span;
}

/** A new element with a class (or none) and children: texts and elements. */
export function element(tag, className, ...children) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  for (const child of children) el.append(child);
  return el;
}

/** Show the page in `lang`: flip <html lang> and mark which of root's language buttons is pressed. */
export function showLanguage(root, lang) {
  document.documentElement.lang = lang;
  for (const button of root.querySelectorAll("[data-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === lang));
  }
}
