/**
 * A ticket issued here for a visitor (a booking checked in, a desk ticket) is printed at
 * the kiosk staff chose, or its number read out: what staff read about it, and the print's
 * progress as the live channel's print news tells it.
 */
import { $ } from "../../js/words.js";
import { kioskName } from "../page.js";

const READ_OUT = ["Bacakan nomor ini kepada pengunjung.", "Read this number out to the visitor."];

const PRINT_WORDS = {
  queued: (k) => [`Tiket sedang dicetak di ${k}…`, `Printing the ticket at ${k}…`],
  printed: (k) => [`Tiket sudah tercetak di ${k}. Minta pengunjung mengambilnya.`,
                   `The ticket is printed at ${k}. Ask the visitor to collect it.`],
  failed: (k) => [`Tiket belum dapat dicetak di ${k}. Bacakan nomornya kepada pengunjung.`,
                  `The ticket could not be printed at ${k}. Read the number out to the visitor.`],
};

/**
 * Take the one choice of where a ticket goes (print or show; counter.html) into the slot of
 * the dialog opening: the dialogs are modal, one at a time, and the page holds the choice once.
 */
export function takePrintChoices(slot) {
  const choices = $("print-choices");
  if (choices && slot && choices.parentElement !== slot) slot.append(choices);
}

/** Follow the print of the ticket last issued; show(words) is told each change of its progress. */
export function createPrintFollow(show) {
  let printing = null;     // {job, kiosk} of the ticket last issued with a print
  const seen = new Map();  // print job id → its last status: a job may finish before its answer arrives

  /** The ticket just issued: its print job (or none) at kiosk; the words to show now. */
  function follow(job, kiosk) {
    printing = job ? { job: job.id, kiosk } : null;
    if (!job) return READ_OUT;
    return words(seen.get(job.id) || job.status) || READ_OUT;
  }

  function words(status) {
    const said = PRINT_WORDS[status === "printing" ? "queued" : status];
    return said && said(kioskName(printing.kiosk));
  }

  /** Print news from the live channel. */
  function onPrint(job) {
    seen.set(job.id, job.status);
    if (seen.size > 50) seen.delete(seen.keys().next().value);
    if (!printing || job.id !== printing.job) return;
    const said = words(job.status);
    if (said) show(said);
  }

  return { follow, onPrint, stop: () => { printing = null; } };
}
