/**
 * Hand the ticket in hand on to another service: a dialog of the other services, each
 * with a number key (1–9); a postponed service (by its flag or by a window, as the live
 * snapshot says) is shown but has no key.
 */
import { $ } from "../../js/words.js";
import { root, servedAt, serviceName } from "../page.js";

/** ticket(): the ticket in hand; perform(path, body): send the change (see actions.js). */
export function createTransfer({ ticket, perform, note }) {
  let meantFor = null;  // the id of the ticket the open dialog is for

  $("transfer").addEventListener("close", () => {  // Esc closes it too
    if (!$("transfer").open) meantFor = null;
  });

  function open() {
    const held = ticket();
    if (!held) return;
    meantFor = held.id;
    for (const el of root.querySelectorAll(".transfer-number")) el.textContent = held.number;
    number(held);
    $("transfer").showModal();
    root.querySelector(".transfer-option[data-key='1']")?.focus();
  }

  /** Give the services the held ticket may go to their keys, 1 to 9. */
  function number(held) {
    let n = 0;
    for (const option of root.querySelectorAll(".transfer-option")) {
      const usable = option.dataset.service !== held.service && option.dataset.postponed !== "true";
      option.hidden = option.dataset.service === held.service;
      option.dataset.key = usable && n < 9 ? String(++n) : "";
      option.querySelector(".option-key").textContent = option.dataset.key;
    }
  }

  /** Mark the services postponed today: the snapshot's calendar.postponed. */
  function markPostponed(postponed) {
    const codes = new Set(postponed.map((p) => p.service));
    for (const option of root.querySelectorAll(".transfer-option")) {
      option.dataset.postponed = String(codes.has(option.dataset.service));
    }
    const held = ticket();
    if ($("transfer").open && held) number(held);
  }

  function close() {
    meantFor = null;
    if ($("transfer").open) $("transfer").close();
  }

  /** The ticket in hand is now `held`: a dialog opened for another ticket closes. */
  function follow(held) {
    if (held?.id !== meantFor) close();
  }

  async function transfer(button) {
    const held = ticket();
    const meant = meantFor;
    close();
    if (!held || held.id !== meant) return;
    const code = button.dataset.service;
    const answer = await perform(`/api/tickets/${held.id}/transfer`, { service: code });
    if (!answer.ok) return;
    const [id, en] = serviceName(code);
    const at = servedAt(code);
    note.show("ok", `${held.number} dialihkan ke ${id}${at ? ` (${at})` : ""}.`,
              `${held.number} transferred to ${en}${at ? ` (${at})` : ""}.`);
  }

  return { open, close, follow, transfer, markPostponed };
}
