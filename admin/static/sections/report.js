/**
 * The daily report: pick a day (or step through days), see whether the office was open
 * that day and its hours, its server-drawn charts and tables, download it or a range of
 * days as CSV. Today's report follows the live channel, a few seconds behind.
 */
import { $, say } from "../../js/words.js";
import { dayBoth, daysBetween, OUTCOME_WORDS, shiftDay } from "../format.js";
import { coalesced, NAMES, note, problem, root } from "../page.js";
import { showReportTables } from "./report-tables.js";

const REPORT_REFRESH_MS = 3000;   // today's report and charts: a few seconds behind is fine
const MAX_RANGE_DAYS = 92;        // the server's limit for /api/reports/range.csv

/** today(): today's date once known, else null. */
export function createReport({ api, today }) {
  let reportDate = null;  // the day shown (or asked for last)
  let report = null;      // the report shown
  let asked = 0;          // requests made; only the answer to the last one is shown
  let chartVersion = 0;   // makes the browser fetch the charts again

  function pickDate(day) {
    $("report-date").value = day;
    if (!$("range-until").value) {
      $("range-until").value = day;
      $("range-from").value = `${day.slice(0, 8)}01`;
    }
    updateRange();
    load(day);
  }

  async function load(day, quiet = false) {
    const mine = ++asked;
    reportDate = day;  // the live refresh of today's report asks for this date from now on
    const answer = await api("GET", `/api/reports/daily?date=${encodeURIComponent(day)}`);
    if (mine !== asked) return;  // another date was picked meanwhile: that answer wins
    if (!answer.ok) return note("report-note", "error", problem(answer));
    if (!quiet) note("report-note", "", null);
    report = answer.body;
    say($("report-date-words"), ...dayBoth(day));
    $("day-csv").href = `/api/reports/daily.csv?date=${day}`;
    $("next-day").disabled = Boolean(today()) && day >= today();
    showDay(answer.body.calendar);
    showCharts(answer.body);
    showReportTables(answer.body);
  }

  function showCharts(shown) {
    chartVersion += 1;
    const language = document.documentElement.lang === "en" ? "en" : "id";
    const alts = chartAlts(shown)[language];
    for (const img of root.querySelectorAll("img[data-chart]")) {
      const name = img.dataset.chart;
      img.alt = alts[name];
      img.src = `/api/reports/daily/${name}.svg?date=${shown.date}&lang=${language}&v=${chartVersion}`;
    }
  }

  /** Today's date is (again) known: the date field stops there, and the first report shown is today's. */
  function onToday(day) {
    $("report-date").max = day;  // a page left open overnight moves on with the day
    if (!asked) pickDate(day);
  }

  function step(button) {
    const by = Number(button.dataset.step);
    const day = by === 0 ? today() : shiftDay(reportDate || today(), by);
    if (!day || (today() && day > today())) return;
    $("report-date").value = day;
    load(day);
  }

  function onDateInput() {
    const day = $("report-date").value;
    if (/^\d{4}-\d{2}-\d{2}$/.test(day)) load(day);
  }

  return {
    onToday, step, onDateInput, updateRange,
    /** Load today's report again if it is the one shown (live changes). */
    refreshToday: coalesced(() => (reportDate === today() ? load(reportDate, true) : null), REPORT_REFRESH_MS),
    /** Draw the charts again, e.g. in the other language. */
    redraw: () => { if (report) showCharts(report); },
  };
}

const DAY_STATES = {
  open: ["Kantor buka", "Office open"], emergency_only: ["Hanya darurat", "Emergencies only"],
  closed: ["Kantor tutup", "Office closed"],
};

/** The day's calendar: open, emergency-only or closed (with why), and the hours of a day it opened. */
function showDay(calendar) {
  const el = $("report-day");
  el.hidden = false;
  el.dataset.state = calendar.state;
  const [stateId, stateEn] = DAY_STATES[calendar.state] || [calendar.state, calendar.state];
  const [whyId, whyEn] = reasonBoth(calendar);
  say($("report-day-state"), stateId + whyId, stateEn + whyEn);
  say($("report-day-hours"), ...hoursBoth(calendar.hours));
  $("report-day-hours").hidden = calendar.state === "closed";  // the reason says it all
}

/** ": Hari Raya Natal" (a window's reference, as written); a day without hours says so in both languages. */
function reasonBoth(calendar) {
  if (calendar.state === "closed" && !calendar.hours) {
    return [`: ${calendar.reason || "Tidak ada jam layanan"}`, ": no service hours"];
  }
  return calendar.reason ? [`: ${calendar.reason}`, `: ${calendar.reason}`] : ["", ""];
}

function hoursBoth(hours) {
  if (!hours) return ["Tidak ada jam layanan pada hari ini.", "No service hours on this day."];
  const opens = hours.opens.replace(":", ".");
  if (!hours.closes) {
    return opens === "00.00" ? ["Jam layanan: sepanjang hari.", "Service hours: all day."]
      : [`Jam layanan: mulai ${opens}.`, `Service hours: from ${hours.opens}.`];
  }
  const closes = hours.closes.replace(":", ".");
  return [`Jam layanan: ${opens}–${closes}.`, `Service hours: ${hours.opens}–${hours.closes}.`];
}

function chartAlts(report) {
  const hours = report.by_hour;
  const arrivals = hours.reduce((n, h) => n + h.arrivals, 0);
  const calls = hours.reduce((n, h) => n + h.calls, 0);
  const outcomes = report.visits.by_outcome;
  const [dayId, dayEn] = dayBoth(report.date);
  const buckets = report.wait_histogram.map((b) => `${b.label}: ${b.count}`).join(", ");
  return {
    id: {
      hours: `Grafik kedatangan dan panggilan per jam, ${dayId}: ${arrivals} kedatangan, ${calls} panggilan. Angka per jam ada di tabel di bawah.`,
      outcomes: `Grafik hasil kunjungan, ${dayId}: ` + NAMES.outcomes.map((o) => `${OUTCOME_WORDS[o][0]} ${outcomes[o]}`).join(", ") + ".",
      wait: `Grafik sebaran waktu tunggu dalam menit, ${dayId}: ${buckets}.`,
    },
    en: {
      hours: `Chart of arrivals and calls by hour, ${dayEn}: ${arrivals} arrivals, ${calls} calls. The table below has each hour.`,
      outcomes: `Chart of visit outcomes, ${dayEn}: ` + NAMES.outcomes.map((o) => `${OUTCOME_WORDS[o][1]} ${outcomes[o]}`).join(", ") + ".",
      wait: `Chart of waiting times in minutes, ${dayEn}: ${buckets}.`,
    },
  };
}

/** The range download: its link works only for a valid range, and says how many days it holds. */
function updateRange() {
  const from = $("range-from").value;
  const until = $("range-until").value;
  const link = $("range-csv");
  let why = null;
  if (!from || !until) why = ["Isi kedua tanggal.", "Fill in both dates."];
  else if (until < from) why = ["Tanggal 'sampai' harus sesudah tanggal 'dari'.", "'Until' must not be before 'from'."];
  else if (daysBetween(from, until) > MAX_RANGE_DAYS) why = [`Paling lama ${MAX_RANGE_DAYS} hari.`, `At most ${MAX_RANGE_DAYS} days.`];
  if (why) {
    link.removeAttribute("href");
    link.setAttribute("aria-disabled", "true");
    return note("range-note", "error", why);
  }
  link.href = `/api/reports/range.csv?from=${from}&until=${until}`;
  link.removeAttribute("aria-disabled");
  const days = daysBetween(from, until) + 1;
  note("range-note", "", [`${days} hari, satu baris per hari.`, `${days} days, one row per day.`]);
}
