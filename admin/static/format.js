/**
 * How the admin page writes dates, times, numbers and the server's codes, in both
 * languages. Instants are shown in the office's timezone; service days ("2026-03-02")
 * without any timezone shift.
 */
import { SERVICES, TIMEZONE } from "./page.js";

export const OUTCOME_WORDS = {
  ticket: ["Dapat nomor antrian", "Got a queue number"], online: ["Diarahkan ke layanan online", "Sent online"],
  postponed: ["Layanan ditunda", "Service postponed"], closed: ["Pelayanan ditutup", "Service closed"],
  full: ["Kuota penuh", "Quota full"],
};
export const STATUS_WORDS = {
  waiting: ["Menunggu", "Waiting"], called: ["Dipanggil", "Called"], serving: ["Sedang dilayani", "Being served"],
  done: ["Selesai", "Done"], no_show: ["Tidak hadir", "No-show"], redirected: ["Diarahkan online", "Sent online"],
  expired: ["Kedaluwarsa", "Expired"],
};
const TZ_NAMES = { "Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT" };

function tzName() {
  return TZ_NAMES[TIMEZONE] || TIMEZONE;
}

/** "Senin, 2 Maret 2026 09.15 WIB" / "Monday 2 March 2026, 09:15 WIB" for a stored instant. */
function momentWords(iso, language) {
  if (!iso) return "";
  const options = { timeZone: TIMEZONE, weekday: "long", day: "numeric", month: "long", year: "numeric",
                    hour: "2-digit", minute: "2-digit", hour12: false };
  const locale = language === "id" ? "id-ID" : "en-GB";
  return `${new Intl.DateTimeFormat(locale, options).format(new Date(iso))} ${tzName()}`;
}

export function momentBoth(iso) {
  return [momentWords(iso, "id"), momentWords(iso, "en")];
}

export function timeWords(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat("id-ID", { timeZone: TIMEZONE, hour: "2-digit", minute: "2-digit", hour12: false })
    .format(new Date(iso));
}

/** A service day "2026-03-02" in words, without any timezone shift. */
function dayWords(day, language) {
  const [y, m, d] = day.split("-").map(Number);
  return new Intl.DateTimeFormat(language === "id" ? "id-ID" : "en-GB",
    { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

export function dayBoth(day) {
  return [dayWords(day, "id"), dayWords(day, "en")];
}

export function shiftDay(day, days) {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export function daysBetween(from, until) {
  return Math.round((Date.parse(`${until}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86400000);
}

export function minutesBoth(seconds) {
  if (seconds === null || seconds === undefined) return ["–", "–"];
  const minutes = (seconds / 60).toFixed(1);
  return [`${minutes.replace(".", ",")} mnt`, `${minutes} min`];
}

export function percent(part_, whole) {
  return whole ? Math.round((100 * part_) / whole) : 0;
}

export function serviceBoth(code) {
  const s = SERVICES.get(code);
  return s ? [s.name, s.name_en] : [code, code];
}
