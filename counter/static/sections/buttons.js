/**
 * Which action buttons work: exactly those the ticket in hand and the counter's pause allow,
 * and none while a request is out (is-busy), so one press makes one request.
 */
import { $ } from "../../js/words.js";
import { root } from "../page.js";

/**
 * ticket(): the ticket in hand or null; redirected(): the visitor just sent online, or null;
 * paused(): the counter's pause, or null.
 */
export function createButtons({ ticket, redirected, paused }) {
  let busy = false;

  function allowed() {
    const held = ticket();
    const status = held && held.status;
    const claimed = Boolean(held) && held.emergency === "claimed";
    const sent = redirected();
    const pause = Boolean(paused());
    const free = !held && !pause;  // a paused counter calls nobody; a busy one cannot pause
    return {
      "call-next": free, call: free, "pause-open": free, pause: free, resume: pause,
      recall: status === "called", start: status === "called",
      "no-show": status === "called", finish: status === "serving", "finish-next": status === "serving",
      transfer: Boolean(held), confirm: claimed, reject: claimed,
      "print-slip": Boolean(sent) && !sent.printing,
    };
  }

  /** Enable exactly the actions the ticket's status allows now; nothing while a request is out. */
  function update() {
    const can = allowed();
    for (const button of root.querySelectorAll("button[data-action]")) {
      const ok = can[button.dataset.action] !== false && button.dataset.postponed !== "true";
      button.dataset.allowed = String(ok);  // the look: a request out does not grey everything
      button.disabled = busy || !ok;
    }
    $("login-button").disabled = busy;
  }

  function setBusy(value) {
    busy = value;
    root.classList.toggle("is-busy", value);
    update();
  }

  return { busy: () => busy, setBusy, update };
}
