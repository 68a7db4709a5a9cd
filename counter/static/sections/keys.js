/**
 * Keyboard shortcuts: one letter per action on the desk, a digit per service in the
 * transfer dialog and per reason in the pause dialog. A key presses its button, so it does
 * exactly what a click would. J pauses, and on a paused desk resumes: one press either way.
 * The booking check-in and desk ticket dialogs are typed in: they take no shortcut but Esc.
 */
import { $ } from "../../js/words.js";
import { root } from "../page.js";

// The same keys in both languages, so staff learn them once (Indonesian mnemonics: Jeda,
// ambil tiket untuk penGunjung). A key with two actions presses the one shown.
const KEYS = {
  n: "call-next", u: "recall", m: "start", s: "finish", l: "finish-next", t: "no-show",
  a: "transfer", d: "confirm", b: "reject", p: "print-slip", k: "checkin-open",
  j: ["pause-open", "resume"], g: "visit-open",
};

export function listenForKeys() {
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing || event.repeat) return;
    if ($("transfer").open) return digitKey(event, ".transfer-option");
    if ($("pause-dialog").open) return digitKey(event, ".pause-option");
    if ($("checkin")?.open || $("visit").open) return;
    if (root.dataset.screen !== "desk" || event.target.closest?.("input, textarea, select")) return;
    const actions = [KEYS[event.key.toLowerCase()] || []].flat();
    const button = actions.map((action) => root.querySelector(`button[data-action="${action}"]`))
      .find((found) => found && !found.closest("[hidden]"));
    if (!button) return;
    event.preventDefault();
    press(button);
  });
}

/** A digit in a dialog of numbered options presses the option with that key. */
function digitKey(event, options) {
  if (!/^[1-9]$/.test(event.key)) return;
  event.preventDefault();
  press(root.querySelector(`${options}[data-key="${event.key}"]`));
}

function press(button) {
  if (!button || button.disabled || button.closest("[hidden]")) return;
  button.classList.add("is-pressed");  // the key did reach its button
  setTimeout(() => button.classList.remove("is-pressed"), 150);
  button.click();
}
