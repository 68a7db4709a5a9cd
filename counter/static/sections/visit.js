/**
 * A ticket issued at the desk (SPEC POST /api/desk/visits) for a visitor who cannot use the
 * kiosk, or on a day it is down: the service, a priority group, an emergency reason that
 * staff confirm by issuing, and where the ticket goes (printed at a kiosk, or its number
 * shown large here to read out). Every staff member may issue one. The answer is a kiosk
 * visit's: a ticket, or why there is none (online, postponed, closed, full) in the server's
 * words. A request with no answer is sent again with the same request_id: it can never make
 * a second ticket.
 */
import { UNREACHABLE } from "../../js/staff.js";
import { $, say } from "../../js/words.js";
import { renderMarks } from "../marks.js";
import { root, serviceName } from "../page.js";
import { createPrintFollow, takePrintChoices } from "./printing.js";

export function createDeskVisit({ api, note }) {
  const dialog = $("visit");
  const form = $("visit-form");
  const print = createPrintFollow((words) => { if (dialog.open) say($("visit-words"), ...words); });
  let pending = null;  // {key, id} of a request that had no answer: a retry of the same sends the same id
  form.addEventListener("change", () => { $("visit-problem").hidden = true; });  // the choice answers it

  function open() {
    if (dialog.open) return;
    takePrintChoices($("visit-print-slot"));
    showChoices(!pending);  // a request still unanswered keeps its choices, to be sent again
    dialog.showModal();
    focusService();
  }

  function close() {
    if (dialog.open) dialog.close();
  }

  /** Send the choices; show the ticket's number, or why there is none. */
  async function submit() {
    if (!$("visit-result").hidden) return;  // Enter on the result: nothing to send
    const body = chosen();
    if (!body.service) return problem(["Pilih layanan yang dibutuhkan pengunjung.", "Choose the service the visitor needs."]);
    const key = JSON.stringify(body);
    if (!pending || pending.key !== key) pending = { key, id: requestId() };
    const answer = await api("POST", "/api/desk/visits", { ...body, request_id: pending.id });
    if (answer.status === 401) return;  // the login takes over; the choices wait with their id
    if (answer.status === 0) {
      return problem([`${UNREACHABLE[0]} Tiket dikirim ulang tanpa menjadi ganda.`,
                      `${UNREACHABLE[1]} Sending again never makes a second ticket.`]);
    }
    pending = null;
    if (answer.ok && answer.body.outcome === "ticket") return showTicket(answer.body, body.kiosk);
    if (answer.ok) return showOutcome(answer.body, body.service);  // online, postponed, closed, full
    problem([answer.body.message || `Permintaan ditolak (HTTP ${answer.status}).`]);
  }

  function chosen() {
    const data = new FormData(form);
    const body = { service: data.get("service") || "" };
    for (const name of ["priority", "reason", "kiosk"]) {
      if (data.get(name)) body[name] = data.get(name);
    }
    return body;
  }

  function showTicket(body, kiosk) {
    const ticket = body.ticket;
    const job = body.print && body.print.status !== "preview" ? body.print : null;
    showResult("ok", ticket.service, print.follow(job, kiosk), ticket);
    note.show("ok", `Tiket ${ticket.number} diambil untuk pengunjung.`, `Ticket ${ticket.number} issued for a visitor.`);
  }

  function showOutcome(body, service) {
    print.stop();
    showResult("info", service, [body.message]);
    $("visit-url").hidden = !body.url;
    $("visit-url").textContent = body.url ? body.url.replace(/^https?:\/\//, "") : "";
  }

  /** The result in place of the choices: the number large with its service and place, or why none. */
  function showResult(kind, service, words, ticket = null) {
    $("visit-problem").hidden = true;
    $("visit-choices").hidden = true;
    $("visit-submit").hidden = true;
    $("visit-result").hidden = false;
    $("visit-result").dataset.kind = kind;
    $("visit-number").textContent = ticket ? ticket.number : "";
    $("visit-number").hidden = !ticket;
    $("visit-url").hidden = true;
    say($("visit-service"), ...serviceName(service));
    if (ticket) renderMarks($("visit-marks"), ticket);
    else $("visit-marks").hidden = true;
    $("visit-ahead").hidden = !ticket || ticket.position === null || ticket.position === undefined;
    if (!$("visit-ahead").hidden) say($("visit-ahead"), ...aheadWords(ticket.position));
    say($("visit-words"), ...words);
    $("visit-again").hidden = !ticket;  // the next visitor starts afresh
    $("visit-back").hidden = Boolean(ticket);  // no ticket: the same visitor, another choice
    // once the request's hold on the buttons is let go (a disabled button takes no focus)
    setTimeout(() => ($("visit-again").hidden ? $("visit-back") : $("visit-again")).focus());
  }

  /** The choices again; fresh: as for a new visitor (nothing chosen, shown on this screen). */
  function showChoices(fresh) {
    if (fresh) form.reset();
    print.stop();
    $("visit-problem").hidden = true;
    $("visit-result").hidden = true;
    $("visit-choices").hidden = false;
    $("visit-submit").hidden = false;
    $("visit-again").hidden = true;
    $("visit-back").hidden = true;
  }

  function again(fresh) {
    showChoices(fresh);
    focusService();
  }

  function focusService() {
    (form.querySelector("input[name=service]:checked") || form.querySelector("input[name=service]")).focus();
  }

  function problem(words) {
    $("visit-problem").hidden = false;
    say($("visit-problem"), ...words);
  }

  /** Mark the services postponed today (the snapshot's calendar.postponed): the server says why if chosen. */
  function markPostponed(postponed) {
    const codes = new Set(postponed.map((p) => p.service));
    for (const choice of root.querySelectorAll(".service-choice")) {
      choice.dataset.postponed = String(codes.has(choice.dataset.service));
    }
  }

  return {
    open, close, submit, markPostponed, onPrint: print.onPrint,
    again: () => again(true), back: () => again(false),
  };
}

function aheadWords(position) {
  if (position === 0) return ["Tidak ada antrean di depannya.", "No one is ahead of it."];
  return [`${position} orang di depannya.`, `${position} ${position === 1 ? "person" : "people"} ahead of it.`];
}

function requestId() {
  // randomUUID needs a secure context; a console on plain http over the LAN has none.
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}
