/**
 * The admin page itself: its root element, the names the server wrote into its markup
 * (services, kiosks, reasons, outcomes, the office's timezone), and the few helpers every
 * section uses. The names are read once, when the page loads, and never change.
 */
import { serverTime, UNREACHABLE } from "../js/staff.js";
import { $, say } from "../js/words.js";

export const root = $("admin");
export const NAMES = JSON.parse(root.dataset.names);
export const SERVICES = new Map(NAMES.services.map((s) => [s.code, s]));
export const KIOSKS = new Map(NAMES.kiosks.map((k) => [k.id, k]));
export const REASONS = new Map(NAMES.reasons.map((r) => [r.code, r]));
export const TIMEZONE = NAMES.timezone;

let clockOffset = 0;  // server time minus this PC's, from the responses' Date headers

/** Note the server's time from a response's Date header (a PC clock minutes off would misjudge deadlines). */
export function noteResponse(response) {
  const date = serverTime(response);
  if (Number.isNaN(date)) return;
  const offset = date - Date.now();
  clockOffset = Math.abs(offset) > 2000 ? offset : 0;
}

/** The server's time now, in milliseconds since the epoch. */
export function serverNow() {
  return Date.now() + clockOffset;
}

/** What a refused or unanswered request says, in both languages. */
export function problem(answer) {
  if (answer.status === 0) return UNREACHABLE;
  return [answer.body.message || `Permintaan ditolak (HTTP ${answer.status}).`,
          answer.body.message || `Request refused (HTTP ${answer.status}).`];
}

/** Show [id, en] words in the note with this id, marked ok/error; null words empty it. */
export function note(id, kind, words) {
  $(id).dataset.kind = kind;
  if (words) say($(id), ...words);
  else $(id).replaceChildren();
}

/** Run fn at most once per `ms` after being asked, however many times it is asked; never twice at once. */
export function coalesced(fn, ms) {
  let timer = null;
  let running = false;
  let again = false;
  async function run() {
    timer = null;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await fn();
    } finally {
      running = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  }
  function schedule() {
    if (!timer) timer = setTimeout(run, ms);
  }
  return schedule;
}
