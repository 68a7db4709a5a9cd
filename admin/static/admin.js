/**
 * The supervisor's view (issue 6): the admission mode and its switch, today's figures live,
 * the notices, the kiosk printers, the daily report with its server-drawn charts, and the
 * satisfaction survey's report.
 *
 * Everything shown comes from the admin API; the live channel only says *when* to ask
 * again: `queue` events refresh today's figures and counters (a pause and a resume are
 * queue events too; several in a burst make one request, and a minute without any makes
 * one as well: the longest waits grow with time),
 * a `mode` event the mode and the calendar, `print` events the printers, `notices` the
 * notices nobody is editing here, and `issued` the bookings (when the office takes them).
 * Fixed texts are in the markup in two languages; the language toggle only flips
 * <html lang> (and the language of the chart images).
 *
 * This file wires the sections (./sections/) together: each gets the requests and the
 * few functions of other sections it needs, and keeps its own state.
 */
import { remember, SESSION_EVERY_MS, stored } from "../js/staff.js";
import { $, showLanguage } from "../js/words.js";
import { root } from "./page.js";
import { createBookings } from "./sections/bookings.js";
import { createCalendar } from "./sections/calendar.js";
import { createConnection } from "./sections/connection.js";
import { createKiosks } from "./sections/kiosks.js";
import { createMode } from "./sections/mode.js";
import { createNotices } from "./sections/notices.js";
import { createPrinters } from "./sections/printers.js";
import { createReport } from "./sections/report.js";
import { createReprint } from "./sections/reprint.js";
import { createSession } from "./sections/session.js";
import { createSurvey } from "./sections/survey.js";
import { createToday } from "./sections/today.js";

const LANG_KEY = "antrian.admin.lang";
const TODAY_EVERY_MS = 60 * 1000;  // the longest waits grow with time, not only with events
const BOOKINGS_EVERY_MS = 60 * 1000;  // cancellations from home and missed sessions make no queue event

const session = createSession({ onSignedIn, onSignedOut: () => connection.stop() });
const { api, http } = session.client;
const today = createToday({ api, http, onDay });
const report = createReport({ api, today: today.date });
const survey = createSurvey({ api, today: today.date });
const mode = createMode({ api, currentDay: today.day });
const calendar = createCalendar({ api, currentDay: today.day });
const bookings = createBookings({ api, currentDay: today.date });
const notices = createNotices({ api, http });
const printers = createPrinters({ api });
const reprint = createReprint({ api, onSent: printers.refresh });
const kiosks = createKiosks({ api });
const connection = createConnection({
  onSnapshot(snapshot) {
    today.takeSnapshot(snapshot);
    today.refresh();
  },
  onQueueEvent(event) {
    today.refresh();
    report.refreshToday();
    if (event.event === "issued") bookings.refresh();  // a booking's check-in issues its ticket
    if (event.event === "mode") {  // a switch, the clock, or a window someone added or deleted
      mode.load();
      calendar.load();
    }
  },
  onPrint: printers.refresh,
  onNotices: (changed) => notices.show(changed, false),
  onBack() {  // whatever happened while away
    today.refresh();
    printers.refresh();
    mode.load();
    calendar.load();
    bookings.refresh();
  },
});

function onSignedIn() {
  connection.start();
  mode.load();
  calendar.load();
  notices.load();
  printers.load();
  kiosks.load();
  today.load();
}

function onDay(day) {
  report.onToday(day);
  survey.onToday(day);
  calendar.onToday(day);
  bookings.onToday(day);
}

function setLang(language) {
  showLanguage(root, language);
  remember(LANG_KEY, language);
  report.redraw();  // the charts are drawn in one language
  survey.redraw();
}

const ACTIONS = {
  logout: session.logout, mode: mode.ask, "mode-confirm": mode.confirm, "mode-cancel": mode.cancel,
  "save-notice": notices.save, retry: printers.retry, reprint: reprint.reprint, requeue: reprint.requeue, day: report.step,
  "delete-window": calendar.askDelete, "delete-window-confirm": calendar.confirmDelete,
  "delete-window-cancel": calendar.cancelDelete,
  "survey-load": survey.load, "survey-month": survey.thisMonth,
  "enroll-link": kiosks.enrollLink, "enroll-browser": kiosks.enrollBrowser, "revoke-kiosk": kiosks.revoke,
};

root.addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (!button || button.disabled) return;
  if (button.dataset.lang) return setLang(button.dataset.lang);
  ACTIONS[button.dataset.action]?.(button);
});
root.addEventListener("input", (event) => {
  const el = event.target.closest("[data-notice]");
  if (el) notices.edited(el);
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  if (!$("mode-confirm").hidden) mode.cancel();
  calendar.cancelAllDeletes();
});
$("login-form").addEventListener("submit", session.login);
$("reprint-form").addEventListener("submit", reprint.find);
$("window-form").addEventListener("submit", calendar.add);
$("window-from").addEventListener("change", calendar.onFrom);
$("window-until").addEventListener("change", calendar.onUntil);
$("report-form").addEventListener("submit", (event) => event.preventDefault());
$("range-form").addEventListener("submit", (event) => event.preventDefault());
$("survey-form").addEventListener("submit", (event) => event.preventDefault());
$("report-date").addEventListener("change", report.onDateInput);
$("range-from").addEventListener("change", report.updateRange);
$("range-until").addEventListener("change", report.updateRange);
$("survey-from").addEventListener("change", survey.onPeriodInput);
$("survey-to").addEventListener("change", survey.onPeriodInput);
setInterval(session.client.keepSession, SESSION_EVERY_MS);
setInterval(() => { if (root.dataset.screen === "board") today.refresh(); }, TODAY_EVERY_MS);
if (bookings.on) setInterval(bookings.refresh, BOOKINGS_EVERY_MS);

setLang(stored(LANG_KEY) === "en" ? "en" : "id");
session.boot();
