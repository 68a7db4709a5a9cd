/**
 * The hall's wall screen (issue 5): the latest call large, every counter's number, the next
 * numbers of each service, the clock in office time and a running text of notices; each
 * call and recall is announced by voice (voice.js). While nobody is admitted (a holiday, the
 * weekend, outside hours: the snapshot's calendar) a "Tutup" banner with the reopening tops
 * the board (issue 18). A booked ticket (SPEC "Booking ahead") is tagged "booking" among the
 * next numbers: it queues from its session's start, which is why it may stand before walk-ins
 * who took their number earlier; the running text says so while one waits.
 *
 * The state is the server's snapshot, kept current by the `queue` events that live.js hands
 * over once each, in version order; events whose effect the screen cannot place exactly
 * (a new ticket's priority, a transfer, a mode switch) are followed by a fresh snapshot.
 * Announcements come from the socket's own `queue` events, each version once: a snapshot
 * (on connect, after a gap, after a restart) shows calls but never speaks them again.
 * The office's notices (the supervisor's running text, each service's notice) come with
 * every snapshot and, when an admin edits them, as a `notices` event.
 * With joining on (issue 21), a corner under the counters shows the QR code of the join page
 * (the snapshot's `join`), whose code rotates: the wall reads it again as it changes.
 */
import { connectLive } from "../js/live.js";
import { Announcer } from "./voice.js";

const root = document.getElementById("hall");
const setup = JSON.parse(root.dataset.setup);
const $ = (id) => document.getElementById(id);

const OFFLINE_NOTICE_MS = 1500;   // a blip is not worth a red banner
const SYNC_DELAY_MS = 300;        // one snapshot for a burst of new tickets
const RECONNECT_MS = [500, 1000]; // first and longest retry: a restarted server is on screen again within 3 s
const TICKER_SPEED = 0.08;        // screen heights per second: calm enough to read while walking
const PREVIOUS = 3;               // earlier calls under the latest one
const NEXT = 3;                   // next numbers shown per service
const CLOSED_ROOM = 0.72;         // the closed banner takes the top: the rows below shrink to this
const NEEDS_SNAPSHOT = new Set(["issued", "transferred", "requeued", "mode", "paused", "resumed"]);
const ENDS = new Set(["finished", "no_show", "redirected", "expired"]);
const STATE_WORDS = { called: "dipanggil", serving: "dilayani" };
const ZONES = { "Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT" };

let state = null;
let posted = null;  // the office's notices: {running, services: {code: notice}}, each {text, updated_at, ...}
let syncTimer = null;
let offlineTimer = null;

// --- the queue state ---

function onState(snapshot) {
  posted = newerNotices(posted, snapshot.notices);
  state = snapshot;
  voice.rebase(snapshot.version);
  render();
  if ((snapshot.join?.key ?? null) !== joinCode.key) readJoin();  // e.g. joining switched on or off
}

function onEvent(event) {
  if (!state) return;
  state.version = event.version;
  apply(event);
  render();
  if (NEEDS_SNAPSHOT.has(event.event) && !syncTimer) {
    syncTimer = setTimeout(() => { syncTimer = null; live.sync(); }, SYNC_DELAY_MS);
  }
}

/** Apply one change to the snapshot, as far as the event tells it. */
function apply({ event, ticket }) {
  if (!ticket) return;
  const holder = state.counters.find((c) => c.ticket && c.ticket.number === ticket.number);
  if (event === "called" || event === "recalled") {
    const counter = state.counters.find((c) => c.id === ticket.counter);
    if (holder && holder !== counter) holder.ticket = null;
    if (counter) counter.ticket = { number: ticket.number, service: ticket.service, status: ticket.status };
    removeWaiting(ticket.number);
    state.recent_calls.unshift({ number: ticket.number, service: ticket.service, counter: ticket.counter,
                                 recall: event === "recalled" });
    state.recent_calls.splice(10);
  } else if (event === "started") {
    if (holder) holder.ticket = { ...holder.ticket, status: "serving" };
  } else if (event === "issued" || event === "requeued") {  // the snapshot that follows puts it in its place
    state.waiting.push({ number: ticket.number, service: ticket.service, priority: false });
  } else if (ENDS.has(event) || event === "transferred") {
    if (holder) holder.ticket = null;
    removeWaiting(ticket.number);
    if (event === "transferred") state.waiting.push({ number: ticket.number, service: ticket.service });
  }
}

function removeWaiting(number) {
  state.waiting = state.waiting.filter((t) => t.number !== number);
}

function onNotices(notices) {
  posted = newerNotices(posted, notices);
  if (state) renderTicker(modeInfo());
}

/**
 * Each notice from `fresh` unless `held` has it set later. Notices carry no version: a
 * snapshot asked for before an edit can arrive after that edit's `notices` event, and
 * must not put the old text back on the wall for the rest of the day.
 */
function newerNotices(held, fresh) {
  if (!fresh) return held;
  if (!held) return fresh;
  const pick = (old, now) => (old?.updated_at && !(now?.updated_at >= old.updated_at) ? old : now);
  const services = { ...held.services, ...fresh.services };
  for (const code of Object.keys(services)) services[code] = pick(held.services?.[code], fresh.services?.[code]);
  return { running: pick(held.running, fresh.running), services };
}

// --- drawing ---

function render() {
  if (!state) return;
  renderClosed(state.calendar, modeInfo());
  renderLatest(state.recent_calls);
  renderCounters(state.counters);
  renderJoin();
  renderQueues(state.waiting);
  renderTicker(modeInfo());
  root.dataset.version = state.version;
}

function modeInfo() {
  return state.mode_info || { mode: state.mode };
}

/** Whether anyone is admitted now; a snapshot without a calendar goes by the mode alone. */
function admitting() {
  if (!state) return true;
  return state.calendar ? state.calendar.admitting : modeInfo().mode !== "closed";
}

function counterName(id) {
  const counter = state.counters.find((c) => c.id === id);
  return counter ? counter.name : `Loket ${id}`;
}

function serviceName(code) {
  const service = setup.services.find((s) => s.code === code);
  return service ? service.name : code;
}

function renderLatest(calls) {
  const latest = calls[0];
  $("latest").dataset.empty = String(!latest);
  if (!latest) return;
  const name = counterName(latest.counter);
  setText($("latest-number"), latest.number);
  $("latest-number").dataset.long = String(latest.number.length > 4);
  setText($("latest-counter"), name);
  $("latest-counter").dataset.long = String(name.length > 9);
  setText($("latest-service"), serviceName(latest.service));
  const shown = new Set([latest.number]);
  const earlier = calls.filter((c) => !shown.has(c.number) && shown.add(c.number)).slice(0, PREVIOUS);
  $("previous").replaceChildren(...earlier.map((call) => {
    const item = document.createElement("li");
    item.append(span("previous-number", call.number), span("previous-counter", counterName(call.counter)));
    return item;
  }));
}

/** While nobody is admitted (issue 18), the top of the board says so and when service reopens. */
function renderClosed(calendar, info) {
  const closed = !admitting();
  root.dataset.admitting = String(!closed);
  $("closed").hidden = !closed;
  if (!closed) return;
  setWords($("closed-when"), ...reopensWords(state.reopens, state.day));
  setWords($("closed-why"), ...closedWhy(calendar, info));
}

function reopensWords(reopens, today) {
  if (!reopens) return ["Sampai ada pemberitahuan lebih lanjut", "Until further notice"];
  const at = reopens.time.replace(":", ".");
  if (reopens.date === today) return [`Dibuka hari ini pukul ${at}`, `Opens today at ${at}`];
  return [`Dibuka kembali ${longDate(reopens.date, "id-ID")} pukul ${at}`,
          `Reopens ${longDate(reopens.date, "en-GB")} at ${at}`];
}

/** Why the office is shut: the window's reference (a name, the same in English), or the hours. */
function closedWhy(calendar, info) {
  if (info.mode === "closed" && info.reference) return [info.reference, ""];
  if (info.mode === "closed") return ["Pelayanan tatap muka ditutup", "Walk-in service is closed"];
  const hours = calendar && calendar.hours;
  if (!hours) return ["Hari ini tidak ada pelayanan", "No service today"];
  const [opens, closes] = [hours.opens, hours.closes].map((t) => t && t.replace(":", "."));
  if (!closes) return [`Jam pelayanan hari ini mulai pukul ${opens}`, `Today's service hours: from ${opens}`];
  return [`Jam pelayanan hari ini ${opens}–${closes}`, `Today's service hours: ${opens}–${closes}`];
}

/** Put an Indonesian text and its smaller English (none when en is "") into el, if they changed. */
function setWords(el, id, en) {
  const key = `${id}\n${en}`;
  if (el.dataset.key === key) return;
  el.dataset.key = key;
  const english = span("en", en);
  english.lang = "en";
  el.replaceChildren(id, ...(en ? [" ", english] : []));
}

function renderCounters(counters) {
  for (const counter of counters) {
    const row = root.querySelector(`.counter[data-counter="${counter.id}"]`);
    if (!row) continue;
    const ticket = counter.ticket;
    const paused = !ticket && counter.paused;  // a paused counter says why, in words
    row.dataset.status = ticket ? ticket.status : paused ? "paused" : "idle";
    setText(row.querySelector(".counter-number"), ticket ? ticket.number : paused ? "" : "—");
    setText(row.querySelector(".counter-state"), ticket ? STATE_WORDS[ticket.status] || ""
      : paused ? counter.paused.words : "");
  }
}

function renderQueues(waiting) {
  let shown = 0;
  const postponed = state.calendar && new Set(state.calendar.postponed.map((p) => p.service));
  for (const row of root.querySelectorAll(".queue")) {
    if (postponed) row.dataset.postponed = String(postponed.has(row.dataset.service));
    const tickets = waiting.filter((t) => t.service === row.dataset.service);
    row.dataset.waiting = String(tickets.length);
    row.hidden = row.dataset.postponed === "true" && tickets.length === 0;
    shown += row.hidden ? 0 : 1;
    const next = tickets.length ? tickets.slice(0, NEXT) : [{ number: "—" }];
    const cell = row.querySelector(".queue-next");
    const key = next.map((t) => `${t.number}${t.booked ? "+booking" : ""}`).join(" ");
    if (cell.dataset.key !== key) {
      cell.dataset.key = key;
      cell.replaceChildren(...next.map(nextNumber));
    }
    setText(row.querySelector(".queue-waiting"), String(tickets.length));
  }
  scaleRows(shown);
}

/** One of a service's next numbers; a booked one tagged "booking". */
function nextNumber(ticket) {
  const el = span("queue-number", ticket.number);
  if (ticket.booked) {
    el.dataset.booked = "true";
    el.append(span("queue-booked", "booking"));
  }
  return el;
}

/** Size the counters' and the queues' rows to how many there are, and to the room left. */
function scaleRows(queues) {
  const room = admitting() ? 1 : CLOSED_ROOM;
  const counters = root.querySelectorAll(".counter").length;
  const fit = $("join-corner").hidden ? 6 : JOIN_COUNTERS;  // full-size counter rows that fit
  root.style.setProperty("--counter-scale", String(room * Math.min(1, fit / Math.max(counters, 1))));
  root.style.setProperty("--queue-scale", String(room * Math.min(1, 8 / Math.max(queues, 1))));
}

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

function span(className, text) {
  const el = document.createElement("span");
  el.className = className;
  el.textContent = text;
  return el;
}

// --- joining from a phone (issue 21): the rotating code's QR in the corner ---

// The code changes every rotate_seconds by the server's clock, which need not be this PC's (a
// PC clock that is off; a test clock). Each timed reading of /api/state bounds the difference:
// when the server made it, its clock stood within the code's period, [changes_at - rotate,
// changes_at). The next reading is planned for just after the change as best known; one that
// comes too early or too late narrows the bounds, so the wall soon shows each new code within
// a moment of the server. A code is accepted for twice rotate_seconds: a late reading costs little.

const JOIN_MARGIN_MS = 400;      // read a moment after the change, not a moment before it
const JOIN_RETRY_MS = 3000;      // after a reading or an image that failed
const JOIN_COUNTERS = 5;         // counter rows at full size above the corner (6 without it)

// key: the newest code read; shown: the one on the wall; low/high: bounds (ms) of the server's
// clock minus this PC's.
const joinCode = { key: null, shown: null, timer: null, reading: false, low: -Infinity, high: Infinity };

/** Read the code now, and plan the next reading. */
async function readJoin() {
  if (joinCode.reading) return;
  joinCode.reading = true;
  clearTimeout(joinCode.timer);
  let next = JOIN_RETRY_MS;
  try {
    const sent = Date.now();
    const response = await fetch("/api/state", { cache: "no-store" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const code = (await response.json()).join;
    if (code) learnClock(code, sent, Date.now());
    next = code ? untilChange(code) : null;  // joining off: a snapshot will say when it is on
    showJoin(code);
  } catch {
    // unreachable for now: the code on the wall stays good for a while
  } finally {
    joinCode.reading = false;
  }
  if (next !== null) joinCode.timer = setTimeout(readJoin, next);
}

function learnClock(code, sent, received) {
  const changes = Date.parse(code.changes_at);
  const low = changes - code.rotate_seconds * 1000 - received;
  const high = changes - sent;
  if (low > joinCode.high || high < joinCode.low) Object.assign(joinCode, { low, high });  // a clock was set anew
  else Object.assign(joinCode, { low: Math.max(low, joinCode.low), high: Math.min(high, joinCode.high) });
}

/** Milliseconds until just after the code changes, as far as the server's clock is known. */
function untilChange(code) {
  const { low, high } = joinCode;
  // This PC's own clock while it agrees with all that is known and has not yet been late by
  // it (which raises `low` to about zero); else the middle, halving the doubt at each reading.
  const offset = low < -2 * JOIN_MARGIN_MS - 200 && high >= 0 ? 0 : (low + high) / 2;
  const wait = Date.parse(code.changes_at) - offset + JOIN_MARGIN_MS - Date.now();
  return Math.min(Math.max(wait, 250), code.rotate_seconds * 1000 + JOIN_MARGIN_MS);
}

/** Put a new code on the wall once its image has loaded: the last one stays until then. */
async function showJoin(code) {
  joinCode.key = code ? code.key : null;
  if (!code) {
    joinCode.shown = null;
    return renderJoin();
  }
  if (code.key === joinCode.shown) return;
  const image = new Image();
  image.src = `/join/${encodeURIComponent(code.key)}/qr.svg`;
  try {
    await image.decode();
  } catch {  // a code gone old meanwhile, or the server unreachable: read again soon
    clearTimeout(joinCode.timer);
    joinCode.timer = setTimeout(readJoin, JOIN_RETRY_MS);
    return;
  }
  if (code.key !== joinCode.key) return;  // a newer code came meanwhile
  const old = $("join-qr");
  for (const name of ["id", "class", "alt", "width", "height"]) image.setAttribute(name, old.getAttribute(name) ?? "");
  old.replaceWith(image);
  joinCode.shown = code.key;
  renderJoin();
}

/** The corner shows while there is a code on the wall and anyone is admitted (a closed office
 * takes no number from a phone either). */
function renderJoin() {
  const corner = $("join-corner");
  const hidden = !joinCode.shown || !joinCode.key || !admitting();
  if (corner.hidden === hidden) return;
  corner.hidden = hidden;
  scaleRows(root.querySelectorAll(".queue:not([hidden])").length);
  if (state) renderTicker(modeInfo());
}

// --- flashing the latest call ---

function flash(el) {
  el.classList.remove("is-flashing");
  void el.offsetWidth;  // restart the animation for a call that follows another
  el.classList.add("is-flashing");
}

for (const el of [$("latest"), ...root.querySelectorAll(".counter")]) {
  el.addEventListener("animationend", () => el.classList.remove("is-flashing"));
}

// --- the running text ---

function dateWords(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return new Intl.DateTimeFormat("id-ID", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

/** A date with its weekday: "Senin, 28 Desember 2026" (id-ID), "Monday, 28 December 2026" (en-GB). */
function longDate(iso, locale) {
  const [y, m, d] = iso.split("-").map(Number);
  return new Intl.DateTimeFormat(locale, { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

/** The notices of the day: the supervisor's running text, the mode in force (or why nobody
 * is admitted), where to go online, closed days ahead, postponed services. */
function notices(info) {
  const url = setup.online_url.replace(/^https?:\/\//, "").replace(/\/$/, "");
  const calendar = state.calendar || {};
  const items = [];
  const running = (posted?.running?.text || "").trim();
  if (running) items.push(running);
  if (!admitting() && calendar.message) {
    items.push(calendar.message, `Layanan online: ${url}`, `Walk-in service is closed. Online service: ${url}`);
  } else if (info.mode === "emergency_only") {
    const until = info.until ? ` sampai dengan ${dateWords(info.until)}` : "";
    items.push(`Pelayanan tatap muka hanya untuk keperluan darurat${until}: ${setup.reasons.join(", ")}.`);
    if (info.reference) items.push(`Dasar: ${info.reference}.`);
    items.push(`Keperluan lain silakan diurus secara online di ${url}`);
    items.push(`Walk-in service is for emergencies only. Please apply online at ${url}`);
  } else if (info.mode === "closed") {
    items.push("Pelayanan tatap muka sedang ditutup.", `Layanan online: ${url}`,
               `Walk-in service is closed. Online service: ${url}`);
  } else {
    if (!$("join-corner").hidden) {
      items.push("Tanpa menyentuh kios: pindai kode QR di layar ini dengan ponsel Anda.",
                 "No need to touch the kiosk: scan the QR code on this screen with your phone.");
    }
    items.push("Ambil nomor antrian di kios, lalu tunggu nomor Anda dipanggil.",
               "Lansia, penyandang disabilitas, ibu hamil, dan pengunjung dengan balita didahulukan.",
               "Take a number at the kiosk and wait for your number to be called.");
  }
  if (calendar.closed_ahead) items.push(calendar.closed_ahead.message);
  for (const s of setup.services.filter((service) => service.postponed)) {
    items.push(`${s.name}: ${serviceNotice(s) || "pelayanan ditunda sementara."}`);
  }
  for (const p of (calendar.postponed || []).filter((postponed) => postponed.until)) {
    items.push(`Layanan ${p.name} ditunda sampai ${dateWords(p.until)}.`);  // by a window, to its last day
  }
  if (state.waiting.some((t) => t.booked)) {
    items.push("Nomor bertanda “booking” dipesan secara online: urutannya dihitung dari jam sesi yang dipesan.",
               "Numbers tagged “booking” were booked online: they queue from the time of the session booked.");
  }
  items.push("Pantau antrean dari ponsel Anda: pindai kode QR pada tiket.");
  return items;
}

/** The service's notice as the office last set it (the config's until then); an emptied one
 * gives way to the default sentence, as the kiosk's answer does. */
function serviceNotice(service) {
  const notice = posted?.services?.[service.code];
  return (notice ? notice.text : service.notice).trim();
}

function renderTicker(info) {
  const items = notices(info);
  const key = items.join("\n");
  const track = $("ticker");
  if (track.dataset.key === key) return;
  track.dataset.key = key;
  track.replaceChildren(...items.map((text) => span("ticker-item", text)));
  const speed = innerHeight * TICKER_SPEED;  // px per second
  track.style.setProperty("--ticker-seconds", `${track.scrollWidth / speed}s`);
  // start with the text already on screen, from the left edge, rather than an empty bar
  track.style.setProperty("--ticker-delay", `${-track.parentElement.clientWidth / speed}s`);
}

// --- clock in office time ---

const clockFormat = new Intl.DateTimeFormat("id-ID", { timeZone: setup.timezone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const dateFormat = new Intl.DateTimeFormat("id-ID", { timeZone: setup.timezone, weekday: "long", day: "numeric", month: "long", year: "numeric" });

function zoneName() {
  if (ZONES[setup.timezone]) return ZONES[setup.timezone];
  const parts = new Intl.DateTimeFormat("id-ID", { timeZone: setup.timezone, timeZoneName: "short" }).formatToParts(new Date());
  return parts.find((p) => p.type === "timeZoneName")?.value || "";
}

const dayFormat = new Intl.DateTimeFormat("en-CA", { timeZone: setup.timezone });  // 2026-03-02

function tick() {
  const now = new Date();
  setText($("clock"), clockFormat.format(now).replace(":", "."));
  setText($("date"), dateFormat.format(now));
  // At midnight yesterday's calls leave the screen: the server's snapshot is of the new day.
  if (state && state.day !== dayFormat.format(now) && now.getSeconds() === 30) live.sync();
  setTimeout(tick, 1000 - (Date.now() % 1000) + 20);
}

// --- connection and sound notices ---

function onConnection(connected) {
  const wasDown = root.dataset.live === "down";
  root.dataset.live = connected ? "up" : "down";
  if (connected) {
    clearTimeout(offlineTimer);
    showOffline(false);
    if (wasDown) Object.assign(joinCode, { low: -Infinity, high: Infinity });  // a restarted server may keep another clock
  } else if (!wasDown) {  // every failed retry says so again: count from the first
    offlineTimer = setTimeout(() => showOffline(true), OFFLINE_NOTICE_MS);
  }
}

function showOffline(offline) {
  $("offline").hidden = !offline;
  root.dataset.offline = String(offline);
}

function onSound(sound) {
  root.dataset.sound = sound;
  $("sound-off").hidden = sound !== "blocked";
}

function onCall(event) {
  if ((event.event !== "called" && event.event !== "recalled") || !event.ticket) return;
  voice.say(event.version, event.ticket.number, event.ticket.counter);
  flash($("latest"));
  const row = root.querySelector(`.counter[data-counter="${event.ticket.counter}"]`);
  if (row) flash(row);
}

// --- start ---

/** The voice; a browser without Web Audio still gets a working (silent) screen. */
function startVoice() {
  try {
    return new Announcer({ letters: setup.letters, onState: onSound });
  } catch (error) {
    console.error("no sound on this screen:", error);
    onSound("blocked");
    return { say() {}, rebase() {}, unlock() {} };
  }
}

const voice = startVoice();
for (const type of ["pointerdown", "keydown", "touchstart"]) {
  document.addEventListener(type, () => voice.unlock(), { passive: true });
}
document.addEventListener("contextmenu", (event) => event.preventDefault());

scaleRows(root.querySelectorAll(".queue:not([hidden])").length);
$("zone").textContent = zoneName();
tick();
readJoin();

const live = connectLive({ onState, onEvent, onConnection, socketOptions: {
  reconnectionDelay: RECONNECT_MS[0], reconnectionDelayMax: RECONNECT_MS[1], randomizationFactor: 0.25 } });
live.socket.on("queue", onCall);  // after live.js's own listener: the screen shows the call first
live.socket.on("notices", onNotices);
