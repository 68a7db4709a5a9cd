/**
 * Bookings ahead (SPEC "Booking ahead"), when the office takes them: today's and tomorrow's
 * by session and service, each with how many have not come yet, arrived (checked in),
 * missed and cancelled, and the day's totals. Loaded again on each ticket issued (a
 * check-in is one) and every minute (cancellations from home and missed sessions make no
 * queue event).
 */
import { $, bi, element, say } from "../../js/words.js";
import { dayBoth, serviceBoth, shiftDay } from "../format.js";
import { coalesced, NAMES, note, problem, SERVICES } from "../page.js";

const REFRESH_MS = 300;  // events in a burst make one refresh, at most this late
const COUNTS = ["booked", "checked_in", "missed", "cancelled"];
const HEADINGS = [["Sesi", "Session"], ["Layanan", "Service"], ["Belum datang", "Not yet in"],
                  ["Sudah datang", "Arrived"], ["Terlewat", "Missed"], ["Dibatalkan", "Cancelled"]];

/** currentDay(): today's service day as far as the page knows it, or undefined before it knows. */
export function createBookings({ api, currentDay }) {
  const card = $("bookings");
  let shownDay = null;  // the day the card was loaded for

  async function load() {
    const today = currentDay();
    if (!card || !today) return;
    const days = [today, shiftDay(today, 1)];
    const answers = await Promise.all(days.map((day) => api("GET", `/api/bookings?date=${day}`)));
    const failed = answers.find((answer) => !answer.ok);
    if (failed) return note("bookings-note", "error", problem(failed));
    note("bookings-note", "", null);
    showDay($("bookings-today"), ["Hari ini", "Today"], answers[0].body);
    showDay($("bookings-tomorrow"), ["Besok", "Tomorrow"], answers[1].body);
  }

  const refresh = coalesced(load, REFRESH_MS);

  /** Today's date is (again) known: a new day moves tomorrow to today. */
  function onToday(day) {
    if (day === shownDay) return;  // told again at every refresh of today's figures
    shownDay = day;
    refresh();
  }

  return { load, refresh, onToday, on: Boolean(card) };
}

function showDay(el, [whenId, whenEn], summary) {
  const [dayId, dayEn] = dayBoth(summary.date);
  const title = element("h3", "", ...bi(`${whenId} · ${dayId}`, `${whenEn} · ${dayEn}`));
  el.dataset.date = summary.date;
  if (!summary.slots.length) {
    return el.replaceChildren(title, element("p", "empty", ...bi("Belum ada booking.", "No bookings yet.")));
  }
  el.replaceChildren(title, table(summary.slots));
}

function table(slots) {
  const head = element("tr", "", ...HEADINGS.map(([id, en], i) => {
    const th = element("th", i > 1 ? "num" : "", ...bi(id, en));
    th.scope = "col";
    return th;
  }));
  const bodies = slots.map(slotRows);
  return element("table", "table booking-table", element("thead", "", head), ...bodies, totals(slots));
}

const ORDER = new Map(NAMES.services.map((s, i) => [s.code, i]));

/** A session's rows, one per service booked in it, in the config's order; the session's time once, beside them all. */
function slotRows(slot) {
  const services = Object.entries(slot.services).sort(([a], [b]) => (ORDER.get(a) ?? 99) - (ORDER.get(b) ?? 99));
  const rows = services.map(([code, counts], i) => {
    const name = element("th", "service", element("span", "prefix", SERVICES.get(code)?.prefix || "?"), " ",
                         ...bi(...serviceBoth(code)));
    name.scope = "row";
    const row = element("tr", "", name, ...COUNTS.map((key) => count(counts[key])));
    row.dataset.service = code;
    if (i === 0) row.prepend(slotCell(slot.start, services.length));
    return row;
  });
  const body = element("tbody", "", ...rows);
  body.dataset.slot = slot.start;
  return body;
}

function slotCell(start, rows) {
  const th = element("th", "slot-start", start.replace(":", "."));
  th.scope = "rowgroup";
  th.rowSpan = rows;
  return th;
}

function count(n) {
  return element("td", n ? "num" : "num is-zero", String(n));
}

function totals(slots) {
  const sums = Object.fromEntries(COUNTS.map((key) => [key, 0]));
  for (const slot of slots) {
    for (const counts of Object.values(slot.services)) for (const key of COUNTS) sums[key] += counts[key];
  }
  const all = COUNTS.reduce((sum, key) => sum + sums[key], 0);
  const label = element("th", "", ...bi(`Jumlah (${all} booking)`, `Total (${all} ${all === 1 ? "booking" : "bookings"})`));
  label.scope = "row";
  label.colSpan = 2;
  return element("tfoot", "", element("tr", "", label, ...COUNTS.map((key) => count(sums[key]))));
}
