/**
 * A visitor whose emergency claim was rejected is sent to the online service: the desk
 * shows the way (a QR code), and staff may print the instructions at the kiosk the
 * visitor came from. The print's progress arrives over the live channel (print news).
 */
import { UNREACHABLE } from "../../js/staff.js";
import { $, say } from "../../js/words.js";
import { kioskName } from "../page.js";

const SLIP_WORDS = {
  preview: (k) => [`${k} tidak memiliki printer. Tunjukkan kode QR ini kepada pengunjung.`,
                   `${k} has no printer. Show the visitor this QR code.`],
  queued: (k) => [`Petunjuk sedang dicetak di ${k}…`, `Printing the instructions at ${k}…`],
  printed: (k) => [`Petunjuk sudah tercetak di ${k}. Minta pengunjung mengambilnya.`,
                   `The instructions are printed at ${k}. Ask the visitor to collect them.`],
  failed: (k) => [`Petunjuk belum dapat dicetak di ${k}. Tunjukkan kode QR ini kepada pengunjung.`,
                  `The instructions could not be printed at ${k}. Show the visitor this QR code.`],
};

/** onChange(): the slip's state changed; show the desk's current card and buttons again. */
export function createSlip({ api, onChange }) {
  let redirected = null;        // {ticket, job, printing, status, words} of the visitor sent online
  const printSeen = new Map();  // print job id → its last status, from the live channel

  function start(ticket) {
    redirected = { ticket, job: undefined, printing: false, status: null };
  }

  function forget() {
    redirected = null;
  }

  function close() {
    redirected = null;
    onChange();
  }

  function render() {
    const { number, kiosk } = redirected.ticket;
    say($("redirect-title"), `${number} bukan darurat`, `${number} is not an emergency`);
    say($("print-slip-label"), `Cetak petunjuk di ${kioskName(kiosk)}`, `Print the instructions at ${kioskName(kiosk)}`);
    $("slip-state").hidden = !redirected.status;
    if (redirected.status) {
      $("slip-state").dataset.state = redirected.status;
      say($("slip-state"), ...(redirected.words || SLIP_WORDS[redirected.status](kioskName(kiosk))));
    }
  }

  async function print() {
    const sent = redirected;
    if (!sent) return;
    sent.printing = true;  // one slip per press; a failed one may be tried again
    const answer = await api("POST", "/api/slips", { kiosk: sent.ticket.kiosk });
    if (!answer.ok) {
      if (answer.status === 401) return;
      const words = answer.status === 0 ? UNREACHABLE : [answer.body.message || `HTTP ${answer.status}`];
      return showState("failed", words);
    }
    sent.job = answer.body.print.id;
    showState(answer.body.print.status);
    if (printSeen.has(sent.job)) showState(printSeen.get(sent.job));
  }

  function showState(status, words) {
    if (!redirected) return;
    const shown = status === "printing" ? "queued" : status;
    Object.assign(redirected, { status: shown, words, printing: shown !== "failed" });
    onChange();
  }

  /** Print news from the live channel. */
  function onPrint(job) {
    printSeen.set(job.id, job.status);  // a job may finish before the slip's answer arrives
    if (printSeen.size > 50) printSeen.delete(printSeen.keys().next().value);
    if (redirected && job.id === redirected.job) showState(job.status);
  }

  return { current: () => redirected, start, forget, close, render, print, onPrint };
}
