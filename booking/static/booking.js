/**
 * Booking a visit ahead (SPEC "Booking ahead"), on the visitor's own phone or PC: a service,
 * a day, a slot, a confirmation, then the code to show at the kiosk.
 *
 * The days and slots come from /api/booking/slots when a service is chosen, and again after a
 * refusal that means they changed (the slot filled up meanwhile, or the day closed). One booking
 * attempt has one request_id, made for a choice of service, day and slot and reused when the
 * same choice is sent again after a lost answer, so a retry never books twice (the server
 * replays its first answer). Each step's heading takes the focus when the step shows, for
 * keyboards and screen readers. Texts are in both languages; base.css shows those of <html lang>.
 */
import { $, bi, element, say } from "../js/words.js";
import { languageToggle } from "./lang.js";

const root = $("booking");
const SETUP = JSON.parse(root.dataset.setup);
const STEPS = ["service", "day", "slot", "confirm", "done"];
const REQUEST_TIMEOUT_MS = 15000;

const state = { service: null, days: [], unavailable: [], day: null, slot: null, attempt: null, busy: false };

// --- words ---

// The server gives a day's reason in Indonesian (queueing/bookings.py _why_not).
const REASONS_EN = {
  "Kantor tutup": "Office closed",
  "Hanya untuk keperluan darurat": "Emergencies only",
  "Layanan ditunda": "Service postponed",
  "Layanan ini tidak dapat dibooking": "This service cannot be booked ahead",
};

const UNREACHABLE = ["Tidak dapat terhubung ke server. Periksa koneksi Anda lalu coba lagi.",
                     "Cannot reach the server. Check your connection and try again."];

function reasonWords(reason) {
  const closedFor = "Kantor tutup: ";
  if (reason.startsWith(closedFor)) return [reason, `Office closed: ${reason.slice(closedFor.length)}`];
  return [reason, REASONS_EN[reason]];
}

/** "Selasa, 8 Desember 2026" / "Tuesday 8 December 2026", from "2026-12-08" whatever the device's zone. */
function dateWords(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  const parts = { weekday: "long", day: "numeric", month: "long", year: "numeric" };
  const day = new Date(y, m - 1, d);
  return [new Intl.DateTimeFormat("id-ID", parts).format(day), new Intl.DateTimeFormat("en-GB", parts).format(day)];
}

/** "08:30" as the office writes a time: "08.30". */
function clockWords(hhmm) {
  return hhmm.replace(":", ".");
}

function timeWords(slot) {
  const span = `${clockWords(slot.start)}–${clockWords(slot.end)}${SETUP.zone ? ` ${SETUP.zone}` : ""}`;
  return [`pukul ${span}`, span];
}

/** The last check-in time of a slot: its end plus late_minutes ("09.45"), or "" past midnight. */
function checkInUntil(slot) {
  const [h, m] = slot.end.split(":").map(Number);
  const minutes = h * 60 + m + SETUP.late_minutes;
  if (minutes >= 24 * 60) return "";
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}.${String(minutes % 60).padStart(2, "0")}`;
}

function placesWords(left) {
  if (left <= 0) return ["Penuh", "Full"];
  return [`Sisa ${left} tempat`, `${left} ${left === 1 ? "place" : "places"} left`];
}

function sessionsWords(open) {
  if (open === 0) return ["Penuh", "Full"];
  return [`${open} sesi tersedia`, `${open} ${open === 1 ? "time" : "times"} available`];
}

function waitWordsEn(seconds) {
  if (!seconds) return "a while";
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} ${minutes === 1 ? "minute" : "minutes"}`;
}

function serviceWords() {
  return [state.service.name, state.service.nameEn];
}

// --- steps ---

function show(step) {
  for (const name of STEPS) $(`step-${name}`).hidden = name !== step;
  $(`${step}-title`).focus();
}

/** Say a refusal or a problem above the step (announced: role=alert); null clears it. */
function notice(words) {
  $("notice").hidden = !words;
  if (words) say($("notice"), ...words);
}

function choice(action, main, sub, disabled, data) {
  const button = element("button", "choice", element("span", "choice-main", ...bi(...main)),
                         element("span", "choice-sub", ...bi(...sub)));
  button.type = "button";
  button.dataset.action = action;
  Object.assign(button.dataset, data);
  button.disabled = disabled;
  return element("li", null, button);
}

// --- 1. the service ---

async function chooseService(button) {
  const d = button.dataset;
  state.service = { code: d.service, name: d.name, nameEn: d.nameEn, description: d.description,
                    descriptionEn: d.descriptionEn };
  say($("day-chosen"), ...serviceWords());
  $("days").replaceChildren();
  $("no-days").hidden = true;
  show("day");
  if (await loadSlots()) renderDays();
}

/** Ask for the chosen service's days and slots; false when they did not come, or came for a
 * service the visitor has left meanwhile (back, and another one chosen). */
async function loadSlots() {
  const service = state.service;
  $("days-loading").hidden = false;
  const answer = await ask(`/api/booking/slots?service=${encodeURIComponent(service.code)}`);
  if (state.service !== service) return false;
  $("days-loading").hidden = true;
  if (!answer.ok) {
    notice(answer.status ? [answer.body.message || UNREACHABLE[0]] : UNREACHABLE);
    return false;
  }
  state.days = answer.body.days;
  state.unavailable = answer.body.unavailable;
  return true;
}

// --- 2. the day ---

function openSlots(day) {
  return day.slots.filter((slot) => slot.left > 0).length;
}

function renderDays() {
  const days = [...state.days.map((day) => ({ date: day.date, day })),
                ...state.unavailable.map((u) => ({ date: u.date, reason: u.reason }))]
    .sort((a, b) => a.date.localeCompare(b.date));
  $("days").replaceChildren(...days.map(({ date, day, reason }) => {
    const open = day ? openSlots(day) : 0;
    const item = choice("day", dateWords(date), day ? sessionsWords(open) : reasonWords(reason), !open, { date });
    item.firstChild.classList.add(day ? (open ? "is-open" : "is-full") : "is-closed");
    return item;
  }));
  $("no-days").hidden = state.days.some((day) => openSlots(day) > 0);
}

function chooseDay(date) {
  state.day = state.days.find((day) => day.date === date);
  renderSlots();
  show("slot");
}

// --- 3. the slot ---

function renderSlots() {
  const [serviceId, serviceEn] = serviceWords();
  const [dateId, dateEn] = dateWords(state.day.date);
  say($("slot-chosen"), `${serviceId} · ${dateId}`, `${serviceEn} · ${dateEn}`);
  $("slots").replaceChildren(...state.day.slots.map((slot) => {
    const time = timeWords(slot)[1];
    const item = choice("slot", [time, time], placesWords(slot.left), slot.left <= 0, { start: slot.start });
    item.firstChild.classList.add(slot.left > 0 ? "is-open" : "is-full");
    return item;
  }));
}

function chooseSlot(start) {
  state.slot = state.day.slots.find((slot) => slot.start === start);
  say($("confirm-service"), ...serviceWords());
  say($("confirm-date"), ...dateWords(state.day.date));
  say($("confirm-time"), ...timeWords(state.slot));
  const until = checkInUntil(state.slot);
  say($("confirm-note"),
      `Datang pada jam tersebut dan tunjukkan kode booking di kios${until ? ` paling lambat pukul ${until}` : ""}.`
      + " Setelah itu booking terlewat dan Anda perlu mengambil nomor antrean biasa.",
      `Come at that time and show your booking code at the kiosk${until ? ` by ${until} at the latest` : ""}.`
      + " After that the booking lapses and you need an ordinary queue number.");
  show("confirm");
}

// --- 4. booking ---

function newRequestId() {
  // randomUUID needs a secure context; a phone on plain http over the office network has none.
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The attempt for the current choice: the same request_id while the choice stays the same. */
function attempt() {
  const choice = { service: state.service.code, date: state.day.date, start: state.slot.start };
  const key = JSON.stringify(choice);
  if (!state.attempt || state.attempt.key !== key) state.attempt = { key, body: { ...choice, request_id: newRequestId() } };
  return state.attempt.body;
}

async function book() {
  if (state.busy) return;
  setBusy(true);
  const answer = await ask("/api/bookings", { method: "POST", body: attempt() });
  setBusy(false);
  if (answer.ok) {
    state.attempt = null;
    showDone(answer.body.booking);
  } else if (answer.status === 0) {
    notice(UNREACHABLE);  // the same choice sent again reuses the request_id
  } else if (answer.status === 429) {
    notice([answer.body.message, `Too many bookings from this device. Please try again in ${waitWordsEn(answer.retryAfter)}.`]);
  } else {
    state.attempt = null;
    await refused(answer);
  }
}

/** A refusal: the slot filled up (back to the slots, refreshed), the day closed (back to the days), else its words. */
async function refused(answer) {
  const code = answer.body.error;
  if (code !== "slot_full" && code !== "not_bookable") {
    notice([answer.body.message || UNREACHABLE[0]]);
    return;
  }
  const time = timeWords(state.slot);
  await loadSlots();
  renderDays();
  state.day = state.days.find((day) => day.date === state.day.date);
  if (code === "slot_full" && state.day && openSlots(state.day) > 0) {
    renderSlots();
    show("slot");
    notice([`Maaf, jam ${time[1]} baru saja penuh. Daftar jam sudah diperbarui: silakan pilih jam lain.`,
            `Sorry, ${time[1]} has just filled up. The times are updated: please choose another.`]);
  } else {
    show("day");
    notice(code === "slot_full"
      ? ["Maaf, hari itu baru saja penuh. Daftar hari sudah diperbarui: silakan pilih hari lain.",
         "Sorry, that day has just filled up. The days are updated: please choose another."]
      : [answer.body.message, "That day can no longer be booked. The days are updated: please choose another."]);
  }
}

function setBusy(busy) {
  state.busy = busy;
  $("book-button").disabled = busy;
  $("book-button").setAttribute("aria-busy", String(busy));
}

// --- 5. the code ---

function showDone(booking) {
  const code = $("done-code");
  code.replaceChildren(...[...booking.code].map((c) => element("span", null, c)));
  $("done-code-spoken").textContent = [...booking.code].join(" ");
  root.dataset.code = booking.code;
  say($("done-service"), ...serviceWords());
  say($("done-date"), ...dateWords(booking.date));
  const until = checkInUntil(booking);
  const [timeId, timeEn] = timeWords(booking);
  say($("done-time"), `${timeId}${until ? ` (check-in paling lambat ${until})` : ""}`,
      `${timeEn}${until ? ` (check in by ${until})` : ""}`);
  const { description, descriptionEn } = state.service;
  say($("done-bring"),
      `Kode booking ini dan dokumen asli untuk keperluan Anda${description ? ` (${description})` : ""}.`,
      `This code and the original documents for your matter${descriptionEn ? ` (${descriptionEn})` : ""}.`);
  $("done-qr").src = `${booking.status_url}/qr.svg`;
  $("done-ics").href = `${booking.status_url}.ics`;
  $("done-link").href = booking.status_url;
  $("done-url").textContent = `${location.origin}${booking.status_url}`;
  notice(null);
  show("done");
}

function startAgain() {
  Object.assign(state, { service: null, days: [], unavailable: [], day: null, slot: null, attempt: null });
  delete root.dataset.code;
  show("service");
}

// --- asking the server ---

async function ask(path, { method = "GET", body } = {}) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
  try {
    const response = await fetch(path, {
      method, cache: "no-store", signal: abort.signal,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await response.json().catch(() => ({}));
    return { ok: response.ok, status: response.status, body: data,
             retryAfter: Number(response.headers.get("Retry-After")) || 0 };
  } catch {
    return { ok: false, status: 0, body: {}, retryAfter: 0 };  // unreachable, or no answer in time
  } finally {
    clearTimeout(timer);
  }
}

// --- start ---

const ACTIONS = {
  service: chooseService,
  day: (button) => chooseDay(button.dataset.date),
  slot: (button) => chooseSlot(button.dataset.start),
  book,
  back: (button) => show(button.dataset.to),
  again: startAgain,
};

root.addEventListener("click", (event) => {
  const button = event.target.closest("[data-action]");
  if (!button || button.disabled) return;
  if (button.dataset.action !== "book") notice(null);
  ACTIONS[button.dataset.action](button);
});

languageToggle(root);
