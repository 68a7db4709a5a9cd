/**
 * The counter console (issue 4): staff call, serve and hand on tickets all day long.
 *
 * The server is the only record of the ticket in hand: the page shows what the last
 * answer or desk refresh said, refreshes the desk (GET /api/counters/<id>) on every live
 * `queue` event, and never guesses. A refusal shows the server's own sentence. A lost
 * session leads to the login; the ticket stays called/serving on the server and the
 * desk shows it again after login. Fixed texts are in the markup in two languages; the
 * language toggle only flips <html lang>.
 *
 * This file wires the sections (./sections/) together: each gets the requests and the
 * few functions of other sections it needs, and keeps its own state.
 */
import { createStaffClient, remember, SESSION_EVERY_MS, stored } from "../js/staff.js";
import { $, showLanguage } from "../js/words.js";
import { createServerClock } from "./clock.js";
import { root } from "./page.js";
import { createActions } from "./sections/actions.js";
import { createButtons } from "./sections/buttons.js";
import { createCheckIn } from "./sections/checkin.js";
import { createConnection } from "./sections/connection.js";
import { createDesk } from "./sections/desk.js";
import { listenForKeys } from "./sections/keys.js";
import { createNoShows } from "./sections/noshows.js";
import { createNote } from "./sections/note.js";
import { createPause } from "./sections/pause.js";
import { createSession } from "./sections/session.js";
import { createSlip } from "./sections/slip.js";
import { createTransfer } from "./sections/transfer.js";
import { createDeskVisit } from "./sections/visit.js";

const LANG_KEY = "antrian.counter.lang";

const clock = createServerClock();
const note = createNote();
const client = createStaffClient({
  getSession: () => session.current(),
  setSession: (fresh) => session.refreshed(fresh),
  onLoggedOut: (message) => session.lost(message),
  onResponse: clock.noteResponse,
});
const { api } = client;
const signedIn = () => Boolean(session.current());
const counterId = () => session.counterId();

const slip = createSlip({
  api,
  onChange() {
    desk.renderCurrent();
    buttons.update();
  },
});
const buttons = createButtons({ ticket: () => desk.ticket(), redirected: slip.current, paused: () => desk.paused() });
const noShows = createNoShows({ api, note, now: clock.now });
const desk = createDesk({
  api, note, now: clock.now, buttons, slip, noShows, signedIn, counterId, onHold: (ticket) => transfer.follow(ticket),
});
const actions = createActions({ api, note, buttons, desk, slip, signedIn, counterId });
const transfer = createTransfer({ ticket: desk.ticket, perform: actions.perform, note });
const pause = createPause({ api, note, desk, counterId });
const checkIn = createCheckIn({ api, note });
const visit = createDeskVisit({ api, note });
const connection = createConnection({
  signedIn, onChange: desk.scheduleRefresh, onPrint, onSnapshot: markPostponed,
});
const session = createSession({ client, buttons, desk, note, connection, dialogs: [pause, checkIn, visit] });

function onPrint(job) {
  slip.onPrint(job);
  checkIn.onPrint(job);
  visit.onPrint(job);
}

function markPostponed(snapshot) {
  if (!snapshot.calendar) return;
  transfer.markPostponed(snapshot.calendar.postponed);
  visit.markPostponed(snapshot.calendar.postponed);
  buttons.update();
}

function setLang(lang) {
  showLanguage(root, lang);
  remember(LANG_KEY, lang);
}

const { run } = actions;
const ACTIONS = {
  "call-next": () => run(actions.callNext), call: (b) => run(actions.callTicket, b),
  recall: () => run(actions.move, "recall"), start: () => run(actions.move, "start"),
  finish: () => run(actions.move, "finish"), "no-show": () => run(actions.move, "no-show"),
  "finish-next": () => run(actions.finishAndCallNext),
  transfer: transfer.open, "transfer-to": (b) => run(transfer.transfer, b), "transfer-cancel": transfer.close,
  confirm: () => run(actions.verify, true), reject: () => run(actions.verify, false),
  "print-slip": () => run(slip.print), "close-redirect": slip.close,
  choose: (b) => session.openCounter(Number(b.dataset.counter)), switch: session.showChoose,
  logout: () => run(session.logout),
  "checkin-open": checkIn.open, "checkin-close": checkIn.close,
  "pause-open": pause.open, "pause-cancel": pause.close, pause: (b) => run(pause.pause, b), resume: () => run(pause.resume),
  requeue: (b) => run(noShows.requeue, b),
  "visit-open": visit.open, "visit-close": visit.close, "visit-again": visit.again, "visit-back": visit.back,
};

root.addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (!button || button.disabled) return;
  if (button.dataset.lang) return setLang(button.dataset.lang);
  if (buttons.busy()) return;
  ACTIONS[button.dataset.action]?.(button);
});
listenForKeys();
$("login-form").addEventListener("submit", session.login);
$("checkin-form")?.addEventListener("submit", (event) => {
  event.preventDefault();
  run(checkIn.submit);
});
$("visit-form").addEventListener("submit", (event) => {
  event.preventDefault();
  run(visit.submit);
});
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && signedIn()) client.keepSession().then(desk.refresh);
});
setInterval(client.keepSession, SESSION_EVERY_MS);
setInterval(() => desk.tick(connection.connected()), 1000);

setLang(stored(LANG_KEY) === "en" ? "en" : "id");
session.boot();
