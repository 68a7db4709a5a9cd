/**
 * Taking a queue number on the visitor's own phone, from the hall screen's QR code (issue 21):
 * the kiosk's flow (kiosk.js) on a phone-sized page. Priority, a service, the emergency question
 * while walk-ins are for emergencies only; then POST /api/visits with the hall's code as "join".
 * A ticket opens its phone page (/t/<token>); online, postponed, closed and full are said here.
 *
 * One visit has one request_id, made when the visitor picks a service and sent again by "Try
 * again" after a failure, so a retry never makes a second ticket (the server replays its first
 * answer). The code is good for a minute or two: an old one is told to scan the hall again.
 */
import { $, say, showLanguage } from "../js/words.js";
import {
  fillFailure, fillOnline, messageEn, messageTitle, post, serviceWords, setBusy, showCalendar, showMode, showScreen,
  showSnapshot, visitActions,
} from "./visit.js";

const root = $("join");
const KEY = root.dataset.key;
const SCREENS = ["start", "question", "ticket", "online", "message", "failure"];
const SETTLE_MS = 400;            // the 2nd tap of a double tap must not land on the next screen
const LANG_KEY = "antrian.lang";  // the ticket's phone page speaks the language chosen here

const UNREACHABLE = ["Tidak dapat terhubung ke server. Periksa koneksi internet ponsel Anda, lalu coba lagi.",
                     "Cannot reach the server. Check your phone's connection, then try again."];
const EXPIRED_EN = "This code is no longer valid. Please scan the QR code on the hall screen again to take a number.";

const state = {
  screen: "start", mode: JSON.parse(root.dataset.modeInfo), calendar: JSON.parse(root.dataset.calendar),
  priority: null, visit: null, busy: false, settleUntil: 0,
};
const page = { root, state, show, submit, updateButtons };  // for the screens visit.js shows

// --- screens and buttons ---

function show(name, focusId) {
  showScreen(page, name, SCREENS, SETTLE_MS);
  scrollTo(0, 0);
  if (focusId) $(focusId).focus({ preventScroll: true });  // a screen reader starts at the new heading
}

/** Buttons work unless a visit is on its way or the screen has only just changed. */
function updateButtons() {
  const off = state.busy || performance.now() < state.settleUntil;
  for (const button of root.querySelectorAll("main button")) button.disabled = off;
}

// --- the start screen: the mode in force, open or closed, postponed services ---

/** The mode and the calendar as they are now: a phone may have sat in a pocket since the page opened. */
async function refresh() {
  try {
    const response = await fetch("/api/state", { cache: "no-store" });
    if (!response.ok) return;
    showSnapshot(page, await response.json());
  } catch {
    // offline for now: the visit's own answer will say what holds
  }
}

// --- asking the server ---

async function submit() {
  const visit = state.visit;
  if (!visit || state.busy) return;
  setBusy(page, true);
  const body = { join: KEY, service: visit.service, request_id: visit.request_id };
  if (visit.reason) body.reason = visit.reason;
  if (visit.priority) body.priority = visit.priority;
  const answer = await post("/api/visits", body);
  if (answer.ok && answer.body.outcome === "ticket") return openTicket(answer.body.ticket);  // stays busy
  setBusy(page, false);
  if (answer.ok) showOutcome(answer.body);
  else if (answer.body.error === "join_expired") showExpired(answer.body);
  else showFailure(answer);
}

function showOutcome(answer) {
  if (answer.outcome === "online") showOnline(answer);
  else showMessage(answer);
}

/** The ticket's own phone page from here on; a link stays in case the browser holds back. */
function openTicket(ticket) {
  $("ticket-number").textContent = ticket.number;
  $("ticket-link").href = ticket.status_url;
  show("ticket", "ticket-title");
  location.replace(ticket.status_url);  // Back does not return to a form that already gave a number
}

function showOnline(answer) {
  fillOnline(page, answer);
  $("online-url").href = answer.url;  // a link here: the phone can open it
  show("online", "online-title");
}

function showMessage(answer) {
  if (answer.outcome === "closed") refresh();  // e.g. closing time passed: the start screen follows
  $("message").dataset.outcome = answer.outcome;
  say($("message-title"), ...messageTitle(answer.outcome));
  say($("message-service"), ...serviceWords(page, state.visit.service));
  say($("message-text"), answer.message, messageEn(answer, state.mode.mode));
  show("message", "message-title");
}

/** An old code (the page was left open too long): only a fresh scan of the hall screen helps. */
function showExpired(body) {
  $("failure").dataset.outcome = "expired";
  say($("failure-title"), "Kode sudah tidak berlaku", "This code has expired");
  say($("failure-text"), body.message, EXPIRED_EN);
  $("retry-button").hidden = true;
  $("failure-back").hidden = true;
  show("failure", "failure-title");
}

function showFailure(answer) {
  const refused = fillFailure(answer, UNREACHABLE);
  $("failure").dataset.outcome = answer.status === 429 ? "later" : refused ? "refused" : "unreachable";
  $("failure-back").hidden = false;
  show("failure", "failure-title");
}

// --- language ---

function chooseLanguage(lang) {
  showLanguage(root, lang);
  try { localStorage.setItem(LANG_KEY, lang); } catch { /* private mode: just not remembered */ }
}

// --- start ---

const ACTIONS = { ...visitActions(page), retry: submit };

root.addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (!button || button.disabled) return;
  if (button.dataset.lang) return chooseLanguage(button.dataset.lang);
  ACTIONS[button.dataset.action]?.(button);
});
// A phone back from a pocket, or this page back from the browser's history: what holds now.
document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") refresh(); });
addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  setBusy(page, false);
  refresh();
});

let saved = null;
try { saved = localStorage.getItem(LANG_KEY); } catch { /* no storage */ }
if (saved === "en" || saved === "id") showLanguage(root, saved);
showMode(page, state.mode);
showCalendar(page, state.calendar);
root.dataset.ready = "true";
