/**
 * Reprint a ticket: find it by its number, then send it to its kiosk's printer again.
 * onSent() is told when a reprint went to a printer (its progress shows there).
 */
import { $, say } from "../../js/words.js";
import { serviceBoth, STATUS_WORDS, timeWords } from "../format.js";
import { KIOSKS, note, problem } from "../page.js";

export function createReprint({ api, onSent }) {
  let found = null;  // the ticket found, to be reprinted

  async function find(event) {
    event.preventDefault();
    const number = $("reprint-number").value.trim().toUpperCase();
    $("reprint-found").hidden = true;
    found = null;
    if (!/^[A-Z]\d{1,6}$/.test(number)) {
      return note("reprint-note", "error", ["Tulis nomor tiket seperti B001.", "Write a ticket number like B001."]);
    }
    const answer = await api("GET", `/api/tickets/lookup?number=${encodeURIComponent(number)}`);
    if (!answer.ok) return note("reprint-note", "error", problem(answer));
    const t = answer.body.ticket;
    found = t;
    const [serviceId, serviceEn] = serviceBoth(t.service);
    const [statusId, statusEn] = STATUS_WORDS[t.status] || [t.status, t.status];
    const kiosk = KIOSKS.get(t.kiosk)?.name || t.kiosk;
    say($("reprint-ticket"), `${t.number} · ${serviceId} · ${statusId} · diambil ${timeWords(t.issued_at)} di ${kiosk}`,
        `${t.number} · ${serviceEn} · ${statusEn} · taken ${timeWords(t.issued_at)} at ${kiosk}`);
    $("reprint-found").hidden = false;
    note("reprint-note", "", null);
    $("reprint-button").focus();
  }

  async function reprint(button) {
    const t = found;
    if (!t) return;
    button.disabled = true;
    const answer = await api("POST", `/api/tickets/${t.id}/reprint`);
    button.disabled = false;
    if (!answer.ok) return note("reprint-note", "error", problem(answer));
    const kiosk = KIOSKS.get(t.kiosk)?.name || t.kiosk;
    note("reprint-note", "ok", [`${t.number} dikirim ke printer ${kiosk}.`, `${t.number} sent to the printer at ${kiosk}.`]);
    $("reprint-found").hidden = true;
    found = null;
    onSent();
  }

  return { find, reprint };
}
