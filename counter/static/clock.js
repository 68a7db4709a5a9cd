/**
 * Time on the counter console: the server's clock (timers count from the server's
 * timestamps), and how a running time and a waiting time read.
 */
import { serverTime } from "../js/staff.js";

/** The server's time, as its responses tell it (X-Server-Time, else Date). */
export function createServerClock() {
  let offset = 0;

  function noteResponse(response) {
    // Timers count from the server's timestamps; a PC clock minutes off would show nonsense.
    const date = serverTime(response);
    if (Number.isNaN(date)) return;
    const fromHeader = date - Date.now();
    offset = Math.abs(fromHeader) > 2000 ? fromHeader : 0;
  }

  return { noteResponse, now: () => Date.now() + offset };
}

/** "04:05", or "1:02:03" past an hour. */
export function clockText(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const [h, m, s] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60];
  const two = (n) => String(n).padStart(2, "0");
  return h ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
}

/** How long a visitor has waited, in whole minutes, in both languages. */
export function waitWords(ms) {
  const minutes = Math.max(0, Math.floor(ms / 60000));
  if (minutes < 1) return ["< 1 mnt", "< 1 min"];
  if (minutes < 60) return [`${minutes} mnt`, `${minutes} min`];
  const rest = String(minutes % 60).padStart(2, "0");
  return [`${Math.floor(minutes / 60)} j ${rest} mnt`, `${Math.floor(minutes / 60)} h ${rest} min`];
}

/** A span in whole minutes, in words: ["12 menit", "12 min"], ["1 jam 5 menit", "1 h 5 min"]. */
export function minutesWords(ms) {
  const minutes = Math.max(0, Math.floor(ms / 60000));
  if (minutes < 1) return ["< 1 menit", "< 1 min"];
  if (minutes < 60) return [`${minutes} menit`, `${minutes} min`];
  const [h, m] = [Math.floor(minutes / 60), minutes % 60];
  return [`${h} jam${m ? ` ${m} menit` : ""}`, `${h} h${m ? ` ${m} min` : ""}`];
}

/**
 * How far a server's stamp lies from this page's clock, in ms to add to it: the server's
 * whole minutes counted at the read (`minutes` since the stamp, at readAt) decide; the stamp
 * gives the seconds when the two agree (0). Only a server clock set apart from its Date
 * header (tests set one) moves it.
 */
export function serverShift(iso, minutes, readAt) {
  if (minutes === undefined || minutes === null) return 0;
  const stamp = Date.parse(iso);
  const counted = readAt - minutes * 60000;
  const agree = stamp > counted - 60000 && (stamp <= counted || minutes === 0);  // 0: maybe still to come
  return agree ? 0 : counted - stamp;
}
