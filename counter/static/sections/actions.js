/**
 * What staff do with a ticket: call the next one or one from the list, call again, start,
 * finish, finish and call the next, mark a no-show, and decide an emergency claim. Each
 * runs with every button held, and the desk is loaded again whatever happened.
 */
import { counterName } from "../page.js";

const MOVE_WORDS = {
  recall: (n) => [`${n} dipanggil ulang.`, `${n} called again.`],
  start: (n) => [`Mulai melayani ${n}.`, `Serving ${n}.`],
  finish: (n) => [`${n} selesai dilayani.`, `${n} finished.`],
  "no-show": (n) => [`${n} ditandai tidak hadir.`, `${n} marked as a no-show.`],
};

export function createActions({ api, note, buttons, desk, slip, signedIn, counterId }) {
  /** Run one action with every button held, then reload the desk whatever happened. */
  async function run(task, ...args) {
    if (buttons.busy() || !signedIn()) return;
    buttons.setBusy(true);
    try {
      await task(...args);
    } finally {
      buttons.setBusy(false);
      if (signedIn()) desk.refresh();
    }
  }

  /** Send one change; the ticket in the answer is the ticket in hand. */
  async function perform(path, body) {
    desk.bump();  // a desk refresh already on its way may predate this change
    const answer = await api("POST", path, body);
    if (answer.ok && answer.body.ticket) desk.hold(answer.body.ticket);
    else if (!answer.ok && answer.status !== 401) note.refused(answer);
    return answer;
  }

  async function callNext() {
    const answer = await perform(`/api/counters/${counterId()}/call-next`);
    if (answer.ok) calledNote(answer.body.ticket);
    return answer;
  }

  async function callTicket(button) {
    const answer = await perform(`/api/counters/${counterId()}/call`, { ticket_id: Number(button.dataset.ticket) });
    if (answer.ok) calledNote(answer.body.ticket);
  }

  function calledNote(ticket) {
    const here = counterName(counterId());
    note.show("ok", `Memanggil ${ticket.number} ke ${here}.`, `Calling ${ticket.number} to ${here}.`);
  }

  async function move(action) {
    const ticket = desk.ticket();
    if (!ticket) return;
    const answer = await perform(`/api/tickets/${ticket.id}/${action}`);
    if (answer.ok) note.show("ok", ...MOVE_WORDS[action](ticket.number));
  }

  async function finishAndCallNext() {
    const ticket = desk.ticket();
    if (!ticket || !(await perform(`/api/tickets/${ticket.id}/finish`)).ok) return;
    const next = await callNext();
    if (next.ok) {
      note.show("ok", `${ticket.number} selesai. Memanggil ${next.body.ticket.number}.`,
                `${ticket.number} finished. Calling ${next.body.ticket.number}.`);
    } else if (next.status !== 401 && next.status !== 0) {
      note.show(next.body.error === "queue_empty" ? "info" : "error", `${ticket.number} selesai. ${next.body.message || ""}`);
    }
  }

  /** Decide an emergency claim: confirmed, or not an emergency (the visitor is sent online). */
  async function verify(emergency) {
    const ticket = desk.ticket();
    if (!ticket) return;
    const answer = await perform(`/api/tickets/${ticket.id}/verify`, { emergency });
    if (!answer.ok) return;
    if (emergency) {
      return note.show("ok", `Darurat ${ticket.number} dinyatakan sah.`, `${ticket.number}: emergency confirmed.`);
    }
    slip.start(answer.body.ticket);
    desk.renderCurrent();
    note.show("ok", `${ticket.number} bukan darurat: pengunjung diarahkan ke layanan online.`,
              `${ticket.number} is not an emergency: the visitor is sent to the online service.`);
  }

  return { run, perform, callNext, callTicket, move, finishAndCallNext, verify };
}
