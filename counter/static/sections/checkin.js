/**
 * Checking in a visitor who booked (SPEC "Booking ahead"): staff type the code the kiosk
 * refused or the visitor could not use, and the ticket is printed at the kiosk chosen, or
 * its number shown large here to read out. A refusal shows why, in both languages. The
 * print's progress arrives over the live channel (print news), as for the online slip.
 */
import { UNREACHABLE } from "../../js/staff.js";
import { $, say } from "../../js/words.js";
import { serviceName, slotTime } from "../page.js";
import { createPrintFollow, takePrintChoices } from "./printing.js";

// The server says these in Indonesian; its sentence is shown with this English.
const REFUSED_EN = {
  bad_booking_code: "A booking code is 6 letters and digits (no 0, 1, I, L or O).",
  booking_not_found: "No booking has this code. Check it with the visitor.",
  booking_not_today: "This booking is for another day.",
  booking_used: "This booking code has already been used to take a queue number.",
  booking_cancelled: "This booking was cancelled. The visitor may take a regular queue number.",
  booking_missed: "The check-in time of this booking has passed. The visitor may take a regular queue number.",
};

/** api(method, path, body): a staff request; note: the desk's note, told of each ticket issued. */
export function createCheckIn({ api, note }) {
  const dialog = $("checkin");
  const print = createPrintFollow((words) => { if (dialog.open) say($("checkin-words"), ...words); });

  function open() {
    if (!dialog || dialog.open) return;
    clearResult();
    $("checkin-code").value = "";
    takePrintChoices($("checkin-print-slot"));
    dialog.showModal();
    $("checkin-code").focus();
  }

  function close() {
    if (dialog?.open) dialog.close();
  }

  /** Send the code typed; show the ticket's number, or why there is none. */
  async function submit() {
    const code = $("checkin-code").value.replace(/\s+/g, "").toUpperCase();
    if (!/^[A-Z0-9]+$/.test(code)) {
      return showResult("error", null, ["Ketik kode booking pengunjung: huruf dan angka saja.",
                                        "Type the visitor's booking code: letters and digits only."]);
    }
    const kiosk = dialog.querySelector("input[name=kiosk]:checked")?.value || "";
    const answer = await api("POST", `/api/bookings/${code}/check-in`, kiosk ? { kiosk } : {});
    if (answer.status === 401) return;  // the login takes over
    if (answer.ok && answer.body.outcome === "ticket") return showTicket(answer.body, code, kiosk);
    if (answer.ok) return showResult("info", null, [answer.body.message]);  // closed or postponed
    if (answer.status === 0) return showResult("error", null, UNREACHABLE);
    const message = answer.body.message || `Permintaan ditolak (HTTP ${answer.status}).`;
    showResult("error", null, [message, REFUSED_EN[answer.body.error] || message]);
  }

  function showTicket(body, code, kiosk) {
    const ticket = body.ticket;
    const job = body.print && body.print.status !== "preview" ? body.print : null;
    showResult("ok", ticket, print.follow(job, kiosk), code);
    $("checkin-code").value = "";
    $("checkin-code").focus();
    note.show("ok", `Booking ${code}: nomor antrean ${ticket.number}.`, `Booking ${code}: queue number ${ticket.number}.`);
  }

  function showResult(kind, ticket, words, code = "") {
    $("checkin-result").hidden = false;
    $("checkin-result").dataset.kind = kind;
    $("checkin-number").textContent = ticket ? ticket.number : "";
    $("checkin-number").hidden = !ticket;
    if (ticket) {
      const at = slotTime(ticket.queue_at);
      say($("checkin-service"), ...serviceName(ticket.service));
      say($("checkin-slot"), `Kode ${code} · sesi ${at}`, `Code ${code} · session ${at}`);
    } else {
      $("checkin-service").replaceChildren();
      $("checkin-slot").replaceChildren();
    }
    say($("checkin-words"), ...words);
  }

  function clearResult() {
    print.stop();
    $("checkin-result").hidden = true;
  }

  return { open, close, submit, onPrint: print.onPrint, isOpen: () => Boolean(dialog?.open) };
}
