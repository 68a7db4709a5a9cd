/**
 * Keyboard shortcuts: one letter per action on the desk, a digit per service in the
 * transfer dialog. A key presses its button, so it does exactly what a click would. The
 * booking check-in dialog is typed in: it takes no shortcut but Esc.
 */
import { $ } from "../../js/words.js";
import { root } from "../page.js";

// The same keys in both languages, so staff learn them once (Indonesian mnemonics).
const KEYS = {
  n: "call-next", u: "recall", m: "start", s: "finish", l: "finish-next", t: "no-show",
  a: "transfer", d: "confirm", b: "reject", p: "print-slip", k: "checkin-open",
};

export function listenForKeys() {
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing || event.repeat) return;
    if ($("transfer").open) return transferKey(event);
    if ($("checkin")?.open) return;
    if (root.dataset.screen !== "desk" || event.target.closest?.("input, textarea, select")) return;
    const action = KEYS[event.key.toLowerCase()];
    if (!action) return;
    event.preventDefault();
    press(root.querySelector(`button[data-action="${action}"]`));
  });
}

function transferKey(event) {
  if (!/^[1-9]$/.test(event.key)) return;
  event.preventDefault();
  press(root.querySelector(`.transfer-option[data-key="${event.key}"]`));
}

function press(button) {
  if (!button || button.disabled || button.closest("[hidden]")) return;
  button.classList.add("is-pressed");  // the key did reach its button
  setTimeout(() => button.classList.remove("is-pressed"), 150);
  button.click();
}
