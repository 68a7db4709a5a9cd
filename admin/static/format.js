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
export const MODE_WORDS = {
  normal: ["Normal", "Normal"], emergency_only: ["Hanya darurat", "Emergencies only"], closed: ["Tutup", "Closed"],
};
/** A counter's pause, by its reason code (the snapshot's `words` are Indonesian only). */
export const PAUSE_WORDS = {
  istirahat: ["Istirahat", "Break"], ibadah: ["Ibadah", "Prayer"], rapat: ["Rapat", "Meeting"],
  lainnya: ["Sedang tidak melayani", "Not serving"],
};
/** How a ticket came: its `source`. */
export const SOURCE_WORDS = {
  walk_in: ["Datang langsung (kios)", "Walk-in (kiosk)"], booked: ["Booking", "Booked"],
  desk: ["Dibuat di loket", "Issued at the desk"], phone: ["Lewat ponsel", "By phone"],
};
/** A survey grade (Permenpan-RB 14/2017), by its letter. */
export const GRADE_WORDS = {
  A: ["Sangat Baik", "Very good"], B: ["Baik", "Good"], C: ["Kurang Baik", "Fair"], D: ["Tidak Baik", "Poor"],
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

/** A stored instant's time of day in the office: ["11.45 WIB", "11:45 WIB"]. */
export function timeBoth(iso) {
  if (!iso) return ["", ""];
  const id = timeWords(iso);
  return [`${id} ${tzName()}`, `${id.replace(".", ":")} ${tzName()}`];
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

/** A service day short: "24 Des 2026" / "24 Dec 2026". */
function shortDayWords(day, language) {
  const [y, m, d] = day.split("-").map(Number);
  return new Intl.DateTimeFormat(language === "id" ? "id-ID" : "en-GB",
    { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

/** A window's days in words: one day, or "… s.d. …" / "… to …". */
export function spanBoth(window_) {
  const [fromId, fromEn] = dayBoth(window_.from);
  if (window_.until === window_.from) return [fromId, fromEn];
  const [untilId, untilEn] = dayBoth(window_.until);
  return [`${fromId} s.d. ${untilId}`, `${fromEn} to ${untilEn}`];
}

/** A window's days, short: "24 Des 2026" or "18 Mar 2020 – 7 Apr 2020". */
export function spanShortBoth(window_) {
  const [id, en] = ["id", "en"].map((language) => {
    const from = shortDayWords(window_.from, language);
    return window_.until === window_.from ? from : `${from} – ${shortDayWords(window_.until, language)}`;
  });
  return [id, en];
}

/** The services a window postpones: "Ditunda: KTP Elektronik, Akta Kelahiran", or null. */
export function postponedBoth(window_) {
  if (!window_.postponed.length) return null;
  const names = window_.postponed.map(serviceBoth);
  return [`Ditunda: ${names.map((n) => n[0]).join(", ")}`, `Postponed: ${names.map((n) => n[1]).join(", ")}`];
}

/** What a window does, in a few words: "Tutup", "Hanya darurat · Ditunda: KTP Elektronik". */
export function windowDoesBoth(window_) {
  const parts = [window_.mode ? MODE_WORDS[window_.mode] : null, postponedBoth(window_)].filter(Boolean);
  return [parts.map((p) => p[0]).join(" · "), parts.map((p) => p[1]).join(" · ")];
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

/** A length of time in hours and minutes: "1 j 05 mnt" / "1 h 05 min", "12 mnt", "< 1 mnt", "0 mnt". */
export function durationBoth(seconds) {
  if (seconds === null || seconds === undefined) return ["–", "–"];
  if (seconds > 0 && seconds < 60) return ["< 1 mnt", "< 1 min"];
  return waitBoth(Math.floor(seconds / 60));
}

/** Whole minutes in hours and minutes: "42 mnt" / "42 min", "1 j 05 mnt" / "1 h 05 min". */
export function waitBoth(minutes) {
  if (minutes < 60) return [`${minutes} mnt`, `${minutes} min`];
  const rest = String(minutes % 60).padStart(2, "0");
  return [`${Math.floor(minutes / 60)} j ${rest} mnt`, `${Math.floor(minutes / 60)} h ${rest} min`];
}

/** A number with these decimals: ["3,667", "3.667"]; none: ["–", "–"]. */
export function decimalBoth(value, places) {
  if (value === null || value === undefined) return ["–", "–"];
  const text = value.toFixed(places);
  return [text.replace(".", ","), text];
}

export function percent(part_, whole) {
  return whole ? Math.round((100 * part_) / whole) : 0;
}

export function serviceBoth(code) {
  const s = SERVICES.get(code);
  return s ? [s.name, s.name_en] : [code, code];
}
