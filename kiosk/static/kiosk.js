/**
 * The touchscreen kiosk (issue 3): a ticket, or the way online, in at most three taps
 * (priority, service, emergency reason), with no keyboard. With booking on, a visitor who
 * booked types the code on an on-screen keypad instead, chooses priority, and gets the
 * booking's ticket (SPEC "Booking ahead"); a refused code is said in plain words.
 *
 * One visit has one request_id, made when the visitor picks a service and reused for a
 * retry, so a double tap or a retried request never makes a second ticket (the server
 * replays its first answer). Every text exists in Indonesian and English in the markup;
 * the language toggle only flips <html lang>.
 */
import { connectLive } from "../js/live.js";
import { $, say, showLanguage } from "../js/words.js";
import {
  dateWords, fillFailure, fillOnline, messageEn, messageTitle, newRequestId, post, refusal, serviceName, serviceWords,
  setBusy, showCalendar, showMode, showPriority, showScreen, showSnapshot, startHeading, visitActions,
} from "./visit.js";

const root = document.getElementById("kiosk");
const KIOSK_ID = root.dataset.kiosk;
const IDLE_MS = (Number(new URLSearchParams(location.search).get("idle")) || 30) * 1000;
const SETTLE_MS = 600;            // the 2nd tap of a double tap must not land on the next screen
const PRINT_WAIT_MS = 20000;      // no word from the printer by then: advise as if it failed
const OFFLINE_NOTICE_MS = 3000;   // a short reconnect is not worth alarming anyone
const SCREENS = ["start", "question", "booking", "booking-priority", "ticket", "online", "message", "failure", "enroll"]
  .filter((id) => $(id));  // the booking screens exist only with booking on
const ENROLLED = root.dataset.enrolled === "true";
const CODE_LENGTH = root.querySelectorAll("#booking-code .code-cell").length;

const state = {
  screen: "start", mode: { mode: "normal" }, calendar: { admitting: true }, priority: null, visit: null, busy: false,
  settleUntil: 0, idleMs: IDLE_MS, printJob: null, slipJob: null, printSeen: new Map(), code: "",
};
const page = { root, state, show, submit, updateButtons };  // for the screens visit.js shows

// --- words ---

const UNREACHABLE = ["Tidak dapat terhubung ke server. Silakan menuju meja informasi.",
                     "Cannot reach the server. Please go to the information desk."];

const PRINT_WORDS = {
  preview: ["Tiket tidak dicetak di kios ini. Catat nomor Anda atau pindai kode QR.",
            "This kiosk does not print tickets. Note your number or scan the QR code."],
  queued: ["Tiket sedang dicetak…", "Printing your ticket…"],
  printed: ["Silakan ambil tiket Anda.", "Please take your ticket."],
  failed: ["Tiket tidak dapat dicetak. Catat nomor Anda atau pindai kode QR.",
           "The ticket could not be printed. Note your number or scan the QR code."],
};

const SLIP_WORDS = {
  preview: ["Petunjuk tidak dapat dicetak di kios ini. Silakan foto kode QR di layar ini.",
            "These instructions cannot be printed here. Please take a photo of the QR code."],
  queued: ["Petunjuk sedang dicetak…", "Printing the instructions…"],
  printed: ["Silakan ambil lembar petunjuk Anda.", "Please take your instructions slip."],
  failed: ["Petunjuk tidak dapat dicetak. Silakan foto kode QR di layar ini.",
           "The instructions could not be printed. Please take a photo of the QR code."],
};

// A booking code the server refused (its sentence is the Indonesian text): the title, the
// English, and whether the visitor may type it again or take a walk-in number instead.
const NOT_FOUND = {
  title: ["Kode booking tidak ditemukan", "Booking code not found"],
  en: () => "Please check the code on your booking and try again.", retype: true,
};
const REFUSALS = {
  bad_booking_code: NOT_FOUND,
  booking_not_found: NOT_FOUND,
  booking_not_today: {
    title: ["Booking ini bukan untuk hari ini", "This booking is not for today"],
    en: (body) => `This booking is for ${dateWords(body.date, "en")}. Please come on that day.`,
  },
  booking_used: {
    title: ["Kode booking sudah dipakai", "This code has been used"],
    en: () => "This booking code has already been used to take a queue number.",
  },
  booking_cancelled: {
    title: ["Booking sudah dibatalkan", "This booking was cancelled"],
    en: () => "This booking was cancelled. Please take a regular queue number.", walkIn: true,
  },
  booking_missed: {
    title: ["Waktu booking sudah lewat", "Your booking time has passed"],
    en: () => "The check-in time for this booking has passed. Please take a regular queue number.", walkIn: true,
  },
};

function announce(id, en) {
  say($("announce"), id, en);
}

function labelOf(selector) {
  const el = root.querySelector(selector);
  return el ? [el.dataset.label, el.dataset.labelEn] : null;
}

function ahead(position, minutes) {
  if (position === null || position === undefined) return ["", ""];
  const [id, en] = position === 0 ? ["Tidak ada antrean di depan Anda", "No one is ahead of you"]
    : [`${position} orang di depan Anda`, `${position} ${position === 1 ? "person" : "people"} ahead of you`];
  if (!minutes) return [id, en];  // no estimate without today's history
  return [`${id} · perkiraan ${minutes} menit`, `${en} · about ${minutes} min`];
}

// --- screens, buttons and the idle timer ---

function show(name, focusId) {
  showScreen(page, name, SCREENS, SETTLE_MS);
  if (focusId) $(focusId).focus();  // a screen reader starts reading the new screen's heading
  restartIdle(IDLE_MS);
}

function updateButtons() {
  const off = state.busy || performance.now() < state.settleUntil;
  for (const button of root.querySelectorAll("main button")) {
    const ready = usable(button);
    if (button.dataset.action in READY) button.dataset.ready = String(ready);  // the look of a key that waits
    button.disabled = off || button.dataset.used === "true" || !ready;
  }
}

// The keypad's keys that work only with so much of the code typed.
const READY = {
  "code-key": () => state.code.length < CODE_LENGTH,
  "code-next": () => state.code.length === CODE_LENGTH,
  "code-delete": () => state.code.length > 0,
  "code-clear": () => state.code.length > 0,
};

function usable(button) {
  return READY[button.dataset.action]?.() ?? true;
}

function restartIdle(ms = state.idleMs) {
  clearTimeout(state.idleTimer);
  state.idleMs = ms;
  state.idleTimer = setTimeout(onIdle, ms);
}

function onIdle() {
  if (state.busy) return restartIdle();
  const atRest = state.screen === "start" && !state.priority && document.documentElement.lang === "id";
  if (!atRest) reset();
}

function reset() {
  clearTimeout(state.printTimer);
  Object.assign(state, { visit: null, priority: null, printJob: null, slipJob: null, code: "" });
  showPriority(page);
  showLanguage(root, "id");
  if (state.enrollOnly) show("enroll", "enroll-title");
  else show("start", startHeading(state));
}

// --- the start screen ---

function onSnapshot(snapshot) {
  const wasAdmitting = state.calendar.admitting;
  showSnapshot(page, snapshot);
  // a visitor at the start screen is not left holding the focus on a part that just vanished
  if (state.screen === "start" && wasAdmitting !== state.calendar.admitting) $(startHeading(state)).focus();
}

// --- a booking's check-in: the code on the keypad, then the priority choice ---

function openBooking() {
  state.code = "";
  showCode();
  show("booking", "booking-title");
}

function typeKey(button) {
  if (state.code.length >= CODE_LENGTH) return;
  state.code += button.dataset.key;
  showCode();
}

function deleteKey() {
  state.code = state.code.slice(0, -1);
  showCode();
}

function clearCode() {
  state.code = "";
  showCode();
}

function showCode() {
  $("booking-code").querySelectorAll(".code-cell").forEach((cell, i) => {
    cell.textContent = state.code[i] || "";
    cell.classList.toggle("is-next", i === state.code.length);
  });
  updateButtons();
}

function codeNext() {
  if (state.code.length !== CODE_LENGTH) return;
  $("booking-chosen-code").textContent = state.code;
  show("booking-priority", "booking-priority-title");
}

/** Back to the keypad with the code as typed: to correct it, or after the server refused it. */
function retype() {
  state.visit = null;
  showCode();
  show("booking", "booking-title");
}

function checkIn() {
  state.visit = { request_id: newRequestId(), booking: state.code, priority: state.priority };
  submit();
}

/** A refused booking: to the start screen, in the visitor's language and priority, for a walk-in number. */
function walkIn() {
  Object.assign(state, { visit: null, code: "" });
  show("start", startHeading(state));
}

// --- asking the server ---

async function submit() {
  const visit = state.visit;
  if (!visit || state.busy) return;
  setBusy(page, true);
  const body = { kiosk: KIOSK_ID, request_id: visit.request_id };
  if (visit.booking) body.booking = visit.booking;
  else body.service = visit.service;
  if (visit.reason) body.reason = visit.reason;
  if (visit.priority) body.priority = visit.priority;
  const answer = await post("/api/visits", body);
  setBusy(page, false);
  if (answer.ok) showOutcome(answer.body);
  else if (visit.booking && REFUSALS[answer.body.error]) showRefusal(answer.body);
  else showFailure(answer);
}

function showOutcome(answer) {
  if (answer.outcome === "ticket") showTicket(answer);
  else if (answer.outcome === "online") showOnline(answer);
  else showMessage(answer);
}

// --- outcomes ---

function showTicket(answer) {
  const ticket = answer.ticket;
  const [id, en] = serviceName(page, ticket.service);
  const [aheadId, aheadEn] = ahead(ticket.position, ticket.estimated_wait_minutes);
  $("ticket-number").textContent = ticket.number;
  say($("ticket-service"), id, en);
  say($("ticket-ahead"), aheadId, aheadEn);
  showMarks(ticket);
  $("ticket-qr").src = ticket.qr;
  $("print-state").dataset.state = "";
  announce(`Nomor antrian ${[...ticket.number].join(" ")}, ${id}. ${aheadId}.`,
           `Queue number ${[...ticket.number].join(" ")}, ${en}. ${aheadEn}.`);
  show("ticket", "ticket-title");
  const print = answer.print || { status: "preview" };
  state.printJob = print.id ?? null;
  showPrint(print.status);
  if (state.printSeen.has(state.printJob)) showPrint(state.printSeen.get(state.printJob));
}

function showMarks(ticket) {
  const marks = [];
  if (ticket.booked) marks.push(["Booking", "Booking"]);
  const kind = ticket.priority_kind && labelOf(`[data-kind="${CSS.escape(ticket.priority_kind)}"]`);
  if (kind) marks.push([`Prioritas: ${kind[0]}`, `Priority: ${kind[1]}`]);
  else if (ticket.priority) marks.push(["Prioritas", "Priority"]);
  const reason = ticket.reason && labelOf(`[data-reason="${CSS.escape(ticket.reason)}"]`);
  if (reason) marks.push([`Darurat: ${reason[0]}. Siapkan buktinya untuk petugas.`,
                          `Emergency: ${reason[1]}. Have your proof ready for the counter.`]);
  $("ticket-marks").hidden = marks.length === 0;
  say($("ticket-marks"), marks.map((m) => m[0]).join(" · "), marks.map((m) => m[1]).join(" · "));
}

function showPrint(status) {
  const shown = status === "printing" ? "queued" : status;
  const el = $("print-state");
  if (!PRINT_WORDS[shown] || state.screen !== "ticket") return;
  if (shown === "queued" && el.dataset.state === "failed") return;  // a retry: keep the advice up
  el.dataset.state = shown;
  say(el, ...PRINT_WORDS[shown]);
  clearTimeout(state.printTimer);
  if (shown === "queued") state.printTimer = setTimeout(() => showPrint("failed"), PRINT_WAIT_MS);
  if (shown === "failed") restartIdle(IDLE_MS * 2);  // the number and QR code stay up longer
}

function showOnline(answer) {
  const en = fillOnline(page, answer);
  $("slip-button").dataset.used = "false";
  $("slip-state").hidden = true;
  announce(`${answer.message} Alamat: ${answer.url}`, `${en} can be done online at ${answer.url}`);
  show("online", "online-title");
}

async function printSlip(button) {
  button.dataset.used = "true";  // one slip per visit
  setBusy(page, true);
  const answer = await post("/api/slips", { kiosk: KIOSK_ID });
  setBusy(page, false);
  if (!answer.ok) {
    button.dataset.used = "false";
    updateButtons();
    const refused = refusal(answer);
    return showSlip(refused ? [refused] : UNREACHABLE);
  }
  state.slipJob = answer.body.print.id ?? null;
  showSlip(SLIP_WORDS[answer.body.print.status]);
  if (state.printSeen.has(state.slipJob)) showSlip(SLIP_WORDS[state.printSeen.get(state.slipJob)]);
}

function showSlip(words) {
  if (!words) return;
  $("slip-state").hidden = false;
  say($("slip-state"), ...words);
}

function showMessage(answer) {
  if (answer.outcome === "closed" && live) live.sync();  // e.g. closing time passed: the start screen follows
  showNotice(answer.outcome, messageTitle(answer.outcome), [answer.message, messageEn(answer, state.mode.mode)]);
}

/** A booking code the server refused, in plain words, with the way on that fits. */
function showRefusal(body) {
  const refusal = REFUSALS[body.error];
  showNotice("refused", refusal.title, [body.message, refusal.en(body)],
             { retype: refusal.retype, walkIn: refusal.walkIn });
}

function showNotice(outcome, [titleId, titleEn], [textId, textEn], { retype = false, walkIn = false } = {}) {
  $("message").dataset.outcome = outcome;
  say($("message-title"), titleId, titleEn);
  say($("message-service"), ...visitWords(state.visit));
  say($("message-text"), textId, textEn);
  $("retype-button").hidden = !retype;
  $("walk-in-button").hidden = !walkIn;
  announce(`${titleId}. ${textId}`, `${titleEn}.`);
  show("message", "message-title");
}

/** What the visit was for: its service, or the booking code typed. */
function visitWords(visit) {
  if (visit.booking) return [`Kode booking: ${visit.booking}`, `Booking code: ${visit.booking}`];
  return serviceWords(page, visit.service);
}

function showFailure(answer) {
  if (answer.body.error === "kiosk_not_enrolled") return showEnroll();  // revoked meanwhile
  fillFailure(answer, UNREACHABLE);
  show("failure", "failure-title");
}

// A browser the office has not enrolled as this kiosk only says what to do about it.
function showEnroll() {
  state.enrollOnly = true;
  show("enroll", "enroll-title");
}

// --- the live channel ---

function onPrint(job) {
  state.printSeen.set(job.id, job.status);  // a job may finish before its visit's answer arrives
  if (state.printSeen.size > 50) state.printSeen.delete(state.printSeen.keys().next().value);
  if (job.id === state.printJob) showPrint(job.status);
  if (job.id === state.slipJob) showSlip(SLIP_WORDS[job.status === "printing" ? "queued" : job.status]);
}

function onConnection(connected) {
  const wasDown = root.dataset.live === "down";
  root.dataset.live = connected ? "up" : "down";
  if (connected) {
    clearTimeout(state.offlineTimer);
    showOffline(false);
  } else if (!wasDown) {  // every failed reconnect attempt says so again: count from the first
    state.offlineTimer = setTimeout(() => showOffline(true), OFFLINE_NOTICE_MS);
  }
}

function showOffline(offline) {
  $("offline").hidden = !offline;  // in place of the mode, which may be stale by now
  $("mode").hidden = offline;
}

const ACTIONS = {
  ...visitActions(page),
  done: reset, retry: submit, slip: printSlip,
  booking: openBooking, "code-key": typeKey, "code-delete": deleteKey, "code-clear": clearCode,
  "code-next": codeNext, "code-back": retype, "check-in": checkIn, retype, "walk-in": walkIn,
};

root.addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (!button || button.disabled) return;
  if (button.dataset.lang) return showLanguage(root, button.dataset.lang);
  if (state.busy || performance.now() < state.settleUntil) return;  // a double tap's second tap
  ACTIONS[button.dataset.action]?.(button);
});
for (const type of ["pointerdown", "keydown"]) {
  document.addEventListener(type, () => restartIdle(), { capture: true });
}
document.addEventListener("contextmenu", (event) => event.preventDefault());  // a long press is a tap

showMode(page, JSON.parse(root.dataset.modeInfo));
showCalendar(page, JSON.parse(root.dataset.calendar));
if (ENROLLED) show("start");
else showEnroll();
const live = ENROLLED && connectLive({
  auth: { kiosk: KIOSK_ID },
  onState: onSnapshot,
  onEvent: (event) => { if (event.event === "mode") live.sync(); },  // events carry no window dates
  onPrint,
  onConnection,
});
