/**
 * The counter console (issue 4): staff call, serve and hand on tickets all day long.
 *
 * The server is the only record of the ticket in hand: the page shows what the last
 * answer or desk refresh said, refreshes the desk (GET /api/counters/<id>) on every live
 * `queue` event, and never guesses. A refusal shows the server's own sentence. A lost
 * session leads to the login; the ticket stays called/serving on the server and the
 * desk shows it again after login. Fixed texts are in the markup in two languages; the
 * language toggle only flips <html lang>.
 */
import { connectLive } from "../js/live.js";
import {
  createStaffClient, focusLogin, LOGIN_MISSING, remember, SESSION_EVERY_MS, showLoginForm, stored, UNREACHABLE,
} from "../js/staff.js";
import { $, element, say, showLanguage } from "../js/words.js";

const root = document.getElementById("console");
const NAMES = JSON.parse(root.dataset.names);
const SERVICES = new Map(NAMES.services.map((s) => [s.code, s]));
const COUNTERS = new Map(NAMES.counters.map((c) => [c.id, c]));
const REASONS = new Map(NAMES.reasons.map((r) => [r.code, r]));
const KIOSKS = new Map(NAMES.kiosks.map((k) => [k.id, k]));

const REFRESH_DELAY_MS = 150;             // events in a burst make one desk refresh
const OFFLINE_REFRESH_MS = 30000;         // without the live channel, the desk is still refreshed
const OFFLINE_NOTICE_MS = 1500;           // a blink of a reconnect is not worth a red banner
const NOTE_MS = 20000;                    // confirmations fade; refusals stay until the next action
const ACTIVE = ["called", "serving"];
const STORE = { counter: "antrian.counter.id", lang: "antrian.counter.lang", user: "antrian.counter.user" };

// The same keys in both languages, so staff learn them once (Indonesian mnemonics).
const KEYS = {
  n: "call-next", u: "recall", m: "start", s: "finish", l: "finish-next", t: "no-show",
  a: "transfer", d: "confirm", b: "reject", p: "print-slip",
};

const state = {
  session: null, counterId: null, desk: null, ticket: null, redirected: null, busy: false,
  seq: 0, loading: false, dirty: false, lastRefresh: 0, refreshTimer: null, queueKey: null,
  live: null, connected: false, offlineTimer: null, noteTimer: null, clockOffset: 0,
  printSeen: new Map(), ticks: 0, transferFor: null,
};

// --- words ---

const STATUS_WORDS = { called: ["Dipanggil", "Called"], serving: ["Sedang dilayani", "Being served"],
                       redirected: ["Diarahkan ke layanan online", "Sent online"] };
const TIMER_WORDS = { called: ["Sejak dipanggil", "Since the call"], serving: ["Lama layanan", "Serving for"] };
const PRIORITY_WORDS = {
  lansia: ["Lansia", "Elderly"], disabilitas: ["Disabilitas", "Disability"], ibu_hamil: ["Ibu hamil", "Pregnant"],
  balita: ["Membawa balita", "With a small child"], ya: ["Prioritas", "Priority"],
};
const MOVE_WORDS = {
  recall: (n) => [`${n} dipanggil ulang.`, `${n} called again.`],
  start: (n) => [`Mulai melayani ${n}.`, `Serving ${n}.`],
  finish: (n) => [`${n} selesai dilayani.`, `${n} finished.`],
  "no-show": (n) => [`${n} ditandai tidak hadir.`, `${n} marked as a no-show.`],
};
const SLIP_WORDS = {
  preview: (k) => [`${k} tidak memiliki printer. Tunjukkan kode QR ini kepada pengunjung.`,
                   `${k} has no printer. Show the visitor this QR code.`],
  queued: (k) => [`Petunjuk sedang dicetak di ${k}…`, `Printing the instructions at ${k}…`],
  printed: (k) => [`Petunjuk sudah tercetak di ${k}. Minta pengunjung mengambilnya.`,
                   `The instructions are printed at ${k}. Ask the visitor to collect them.`],
  failed: (k) => [`Petunjuk belum dapat dicetak di ${k}. Tunjukkan kode QR ini kepada pengunjung.`,
                  `The instructions could not be printed at ${k}. Show the visitor this QR code.`],
};

function serviceName(code) {
  const service = SERVICES.get(code);
  return service ? [service.name, service.name_en] : [code, code];
}

function counterName(id = state.counterId) {
  return COUNTERS.get(id)?.name || `Loket ${id}`;
}

function servedAt(code) {
  return NAMES.counters.filter((c) => c.services.includes(code)).map((c) => c.name).join(", ");
}

function reasonLabel(ticket) {
  const reason = REASONS.get(ticket.reason);
  const label = reason ? reason.label : ticket.reason_label || ticket.reason || "";
  return [label, reason ? reason.label_en : label];
}

function kioskName(id) {
  return KIOSKS.get(id)?.name || id;
}

function now() {
  return Date.now() + state.clockOffset;
}

function clockText(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const [h, m, s] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60];
  const two = (n) => String(n).padStart(2, "0");
  return h ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
}

function waitWords(ms) {
  const minutes = Math.max(0, Math.floor(ms / 60000));
  if (minutes < 1) return ["< 1 mnt", "< 1 min"];
  if (minutes < 60) return [`${minutes} mnt`, `${minutes} min`];
  const rest = String(minutes % 60).padStart(2, "0");
  return [`${Math.floor(minutes / 60)} j ${rest} mnt`, `${Math.floor(minutes / 60)} h ${rest} min`];
}

// --- talking to the server ---

const client = createStaffClient({
  getSession: () => state.session, setSession, onLoggedOut: sessionLost, onResponse: noteServerClock,
});
const { http, api } = client;

function noteServerClock(response) {
  // Timers count from the server's timestamps; a PC clock minutes off would show nonsense.
  const date = Date.parse(response.headers.get("Date") || "");
  if (Number.isNaN(date)) return;
  const offset = date + 500 - Date.now();  // the header has whole seconds
  state.clockOffset = Math.abs(offset) > 2000 ? offset : 0;
}

// --- screens and the bar ---

function show(screen, focusId) {
  for (const name of ["login", "choose", "desk"]) $(name).hidden = name !== screen;
  $("loading").hidden = true;
  root.dataset.screen = screen;
  if (screen !== "desk" && $("transfer").open) $("transfer").close();
  renderBar();
  updateButtons();
  if (focusId) $(focusId).focus();
}

function renderBar() {
  const session = state.session;
  const onDesk = root.dataset.screen === "desk";
  $("who").hidden = !session;
  if (session) $("who").textContent = session.role === "admin" ? `${session.user} (admin)` : session.user;
  $("logout").hidden = !session;
  $("switch-counter").hidden = !session || !onDesk || session.counters.length < 2;
  $("bar-counter").textContent = onDesk ? ` · ${counterName()}` : "";
  document.title = onDesk ? `${counterName()} — Konsol Loket` : "Konsol Loket";
}

function setLang(lang) {
  showLanguage(root, lang);
  remember(STORE.lang, lang);
}

function setBusy(busy) {
  state.busy = busy;
  root.classList.toggle("is-busy", busy);
  updateButtons();
}

function allowed() {
  const ticket = state.ticket;
  const status = ticket && ticket.status;
  const claimed = Boolean(ticket) && ticket.emergency === "claimed";
  return {
    "call-next": !ticket, call: !ticket, recall: status === "called", start: status === "called",
    "no-show": status === "called", finish: status === "serving", "finish-next": status === "serving",
    transfer: Boolean(ticket), confirm: claimed, reject: claimed,
    "print-slip": Boolean(state.redirected) && !state.redirected.printing,
  };
}

/** Enable exactly the actions the ticket's status allows now; nothing while a request is out. */
function updateButtons() {
  const can = allowed();
  for (const button of root.querySelectorAll("button[data-action]")) {
    const ok = can[button.dataset.action] !== false && button.dataset.postponed !== "true";
    button.dataset.allowed = String(ok);  // the look: a request out does not grey everything
    button.disabled = state.busy || !ok;
  }
  $("login-button").disabled = state.busy;
}

function note(kind, id, en, origin = "") {
  clearTimeout(state.noteTimer);
  $("note").dataset.kind = kind;
  $("note").dataset.origin = origin;
  say($("note"), id, en);
  if (kind !== "error") state.noteTimer = setTimeout(clearNote, NOTE_MS);
}

function clearNote() {
  $("note").dataset.kind = "";
  $("note").dataset.origin = "";
  $("note").replaceChildren();
}

function refused(answer, origin = "") {
  if (answer.status === 0) return note("error", ...UNREACHABLE, origin);
  const message = answer.body.message || `Permintaan ditolak (HTTP ${answer.status}).`;
  note("error", message, undefined, origin);
}

// --- session: login, counter choice, logout ---

async function boot() {
  setLang(stored(STORE.lang) === "en" ? "en" : "id");
  const answer = await http("GET", "/api/session");
  if (answer.ok) return signedIn(answer.body);
  showLogin(answer.status === 0 ? UNREACHABLE : null);
}

function showLogin(problem, notice) {
  showLoginForm(problem, notice, stored(STORE.user));
  show("login");
  focusLogin();
}

async function login(event) {
  event.preventDefault();
  if (state.busy) return;
  const answer = await client.sendLogin(setBusy);
  if (!answer) return showLogin(LOGIN_MISSING);
  if (!answer.ok) {
    return showLogin(answer.status === 0 ? UNREACHABLE : [answer.body.message || `HTTP ${answer.status}`]);
  }
  $("login-note").hidden = true;
  signedIn(answer.body);
}

function setSession(session) {
  const otherUser = state.session && session.user !== state.session.user;
  state.session = session;
  if (otherUser) return signedIn(session);  // another tab of this browser logged in as someone else
  renderBar();
}

function signedIn(session) {
  state.session = session;
  remember(STORE.user, session.user);
  $("login-error").hidden = true;
  startLive();
  const remembered = Number(stored(STORE.counter));
  if (session.counters.includes(remembered)) openCounter(remembered);
  else if (session.counters.length === 1) openCounter(session.counters[0]);
  else showChoose();
}

function showChoose() {
  const mine = state.session ? state.session.counters : [];
  for (const button of root.querySelectorAll("[data-action=choose]")) {
    button.hidden = !mine.includes(Number(button.dataset.counter));
    button.setAttribute("aria-current", String(Number(button.dataset.counter) === state.counterId));
  }
  show("choose", "choose-title");
}

function openCounter(id) {
  state.counterId = id;
  remember(STORE.counter, id);
  state.seq += 1;  // whatever was on its way belongs to the other counter
  Object.assign(state, { desk: null, ticket: null, redirected: null, queueKey: null });
  clearNote();
  renderDesk();
  show("desk");
  refreshDesk();
}

async function logout() {
  const held = state.ticket;
  const answer = await api("POST", "/api/logout");
  if (!answer.ok && answer.status !== 401) return refused(answer);
  signedOut();
  showLogin(null, held ? keptWords(held) : ["Anda sudah keluar.", "You are signed out."]);
}

function keptWords(ticket) {
  const at = counterName(ticket.counter || state.counterId);
  return [`Tiket ${ticket.number} tetap tercatat di ${at} dan tampil lagi setelah masuk.`,
          `Ticket ${ticket.number} stays at ${at} and shows again after you sign in.`];
}

/** The server said 401: back to the login, keeping the counter and the user's name. */
function sessionLost(message) {
  if (!state.session) return;
  const held = state.ticket;
  signedOut();
  const words = [message || "Sesi Anda berakhir. Silakan masuk kembali.", "Your session has ended. Please sign in again."];
  if (held) {
    const [id, en] = keptWords(held);
    words[0] += ` ${id}`;
    words[1] += ` ${en}`;
  }
  showLogin(null, words);
}

function signedOut() {
  state.session = null;
  state.seq += 1;
  Object.assign(state, { desk: null, ticket: null, redirected: null, queueKey: null, connected: false });
  clearTimeout(state.offlineTimer);
  $("link").hidden = true;
  root.dataset.live = "off";
  if (state.live) state.live.socket.disconnect();  // it joined the staff room with the old cookie
  renderDesk();
}

// --- the desk ---

function scheduleRefresh() {
  if (state.refreshTimer) return;  // one is planned: it will see this change too
  state.refreshTimer = setTimeout(() => {
    state.refreshTimer = null;
    refreshDesk();
  }, REFRESH_DELAY_MS);
}

/** Load the desk; one request at a time, and an answer older than the last change is dropped. */
async function refreshDesk() {
  if (!state.session || !state.counterId) return;
  if (state.loading) {
    state.dirty = true;
    return;
  }
  Object.assign(state, { loading: true, dirty: false, lastRefresh: Date.now() });
  const seq = state.seq;
  const answer = await api("GET", `/api/counters/${state.counterId}`);
  state.loading = false;
  const current = seq === state.seq;
  if (current && answer.ok) applyDesk(answer.body);
  else if (current && answer.status !== 401) refused(answer, "refresh");
  if (state.dirty || !current) refreshDesk();
}

function applyDesk(desk) {
  state.desk = desk;
  if ($("note").dataset.origin === "refresh") clearNote();  // the desk loads again: that problem is over
  if (!state.busy) {  // an action is out: its answer decides the ticket in hand
    const before = state.ticket;
    const gone = before && (!desk.ticket || desk.ticket.id !== before.id);
    if (gone && $("note").dataset.kind !== "error") {  // a refusal already said why
      note("info", `Tiket ${before.number} tidak lagi di loket ini: diubah dari tempat lain.`,
           `Ticket ${before.number} is no longer at this counter: it was changed elsewhere.`);
    }
    hold(desk.ticket);
  }
  renderDesk();
}

function hold(ticket) {
  state.ticket = ticket && ACTIVE.includes(ticket.status) ? ticket : null;
  if (state.ticket) state.redirected = null;
  if (state.ticket?.id !== state.transferFor) closeTransfer();  // the dialog was for another ticket
  renderCurrent();
  updateButtons();
}

function renderDesk() {
  renderCurrent();
  renderQueue();
  renderToday();
  updateButtons();
}

function renderCurrent() {
  const ticket = state.ticket;
  const redirected = !ticket && state.redirected;
  $("current").dataset.status = ticket ? ticket.status : redirected ? "redirected" : "none";
  $("held").hidden = !ticket;
  $("idle").hidden = Boolean(ticket || redirected);
  $("redirect").hidden = !redirected;
  $("claim").hidden = !(ticket && ticket.emergency === "claimed");
  const status = ticket ? ticket.status : redirected ? "redirected" : null;
  if (status) say($("status-badge"), ...STATUS_WORDS[status]);
  else $("status-badge").replaceChildren();
  if (ticket) renderHeld(ticket);
  if (redirected) renderRedirect();
  renderClock();
}

function renderHeld(ticket) {
  $("number").textContent = ticket.number;
  say($("held-service"), ...serviceName(ticket.service));
  renderMarks($("marks"), ticket, false);  // a pending claim has its own box below
  say($("timer-label"), ...TIMER_WORDS[ticket.status]);
  if (ticket.emergency === "claimed") {
    const [id, en] = reasonLabel(ticket);
    say($("claim-reason"), `Klaim darurat: ${id}`, `Emergency claim: ${en}`);
  }
}

function renderMarks(el, ticket, withClaim = true) {
  const tags = [];
  if (ticket.priority) {
    const [id, en] = PRIORITY_WORDS[ticket.priority_kind] || PRIORITY_WORDS.ya;
    tags.push(tag("priority", `Prioritas: ${id}`, `Priority: ${en}`));
  }
  if ((withClaim && ticket.emergency === "claimed") || ticket.emergency === "confirmed") {
    const [id, en] = reasonLabel(ticket);
    tags.push(ticket.emergency === "confirmed"
      ? tag("confirmed", `Darurat sah: ${id}`, `Emergency confirmed: ${en}`)
      : tag("claimed", `Klaim darurat: ${id}`, `Emergency claim: ${en}`));
  }
  el.replaceChildren(...tags);
  el.hidden = tags.length === 0;
}

function tag(kind, id, en) {
  const span = element("span", `tag tag-${kind}`);
  say(span, id, en);
  return span;
}

function renderClock() {
  const ticket = state.ticket;
  const since = ticket && (ticket.status === "serving" ? ticket.started_at : ticket.called_at);
  $("clock").textContent = since ? clockText(now() - Date.parse(since)) : "";
}

function renderQueue() {
  const waiting = state.desk ? state.desk.waiting : [];
  $("waiting-count").textContent = state.desk ? String(waiting.length) : "";
  $("queue-empty").hidden = !state.desk || waiting.length > 0;
  say($("queue-hint"), ...(state.ticket
    ? ["Selesaikan tiket saat ini untuk memanggil dari daftar.", "Finish the current ticket to call from the list."]
    : ["Ketuk tiket untuk memanggilnya langsung.", "Tap a ticket to call it directly."]));
  const key = waiting.map((w) => `${w.id}:${w.service}:${w.priority}:${w.emergency}`).join(",");
  if (key !== state.queueKey) {
    state.queueKey = key;
    const focused = document.activeElement && document.activeElement.dataset.ticket;
    $("waiting").replaceChildren(...waiting.map(waitingItem));
    if (focused) $("waiting").querySelector(`[data-ticket="${focused}"]`)?.focus();
  }
  renderWaitTimes();
  renderNext(waiting[0]);
}

function renderNext(first) {
  $("idle-next").hidden = !first;
  if (!first) return;
  const [id, en] = serviceName(first.service);
  say($("idle-next"), `Berikutnya: ${first.number} · ${id}`, `Next: ${first.number} · ${en}`);
}

function waitingItem(ticket) {
  const button = element("button", "wait-item");
  Object.assign(button.dataset, { action: "call", ticket: ticket.id, number: ticket.number });
  button.type = "button";
  button.dataset.priority = String(Boolean(ticket.priority));
  button.dataset.emergency = ticket.emergency || "";
  const info = element("span", "w-info");
  const service = element("span", "w-service");
  say(service, ...serviceName(ticket.service));
  const marks = element("span", "w-marks");
  renderMarks(marks, ticket);
  info.append(service, marks);
  const time = element("span", "w-time");
  time.dataset.since = ticket.issued_at;
  button.append(element("span", "w-number", ticket.number), info, time);
  const li = element("li");
  li.append(button);
  return li;
}

function renderWaitTimes() {
  const at = now();
  for (const el of $("waiting").querySelectorAll(".w-time")) {
    say(el, ...waitWords(at - Date.parse(el.dataset.since)));
  }
}

function renderToday() {
  const today = state.desk ? state.desk.today : null;
  $("today-served").textContent = today ? String(today.served) : "–";
  $("today-no-show").textContent = today ? String(today.no_show) : "–";
  const mean = today && today.mean_service_seconds;
  $("today-mean").textContent = mean === null || mean === undefined ? "–" : clockText(mean * 1000);
}

// --- actions ---

/** Run one action with every button held, then reload the desk whatever happened. */
async function run(task, ...args) {
  if (state.busy || !state.session) return;
  setBusy(true);
  try {
    await task(...args);
  } finally {
    setBusy(false);
    if (state.session) refreshDesk();
  }
}

async function perform(path, body) {
  state.seq += 1;  // a desk refresh already on its way may predate this change
  const answer = await api("POST", path, body);
  if (answer.ok && answer.body.ticket) hold(answer.body.ticket);
  else if (!answer.ok && answer.status !== 401) refused(answer);
  return answer;
}

async function callNext() {
  const answer = await perform(`/api/counters/${state.counterId}/call-next`);
  if (answer.ok) calledNote(answer.body.ticket);
  return answer;
}

async function callTicket(button) {
  const answer = await perform(`/api/counters/${state.counterId}/call`, { ticket_id: Number(button.dataset.ticket) });
  if (answer.ok) calledNote(answer.body.ticket);
}

function calledNote(ticket) {
  note("ok", `Memanggil ${ticket.number} ke ${counterName()}.`, `Calling ${ticket.number} to ${counterName()}.`);
}

async function move(action) {
  const ticket = state.ticket;
  if (!ticket) return;
  const answer = await perform(`/api/tickets/${ticket.id}/${action}`);
  if (answer.ok) note("ok", ...MOVE_WORDS[action](ticket.number));
}

async function finishAndCallNext() {
  const ticket = state.ticket;
  if (!ticket || !(await perform(`/api/tickets/${ticket.id}/finish`)).ok) return;
  const next = await callNext();
  if (next.ok) {
    note("ok", `${ticket.number} selesai. Memanggil ${next.body.ticket.number}.`,
         `${ticket.number} finished. Calling ${next.body.ticket.number}.`);
  } else if (next.status !== 401 && next.status !== 0) {
    note(next.body.error === "queue_empty" ? "info" : "error", `${ticket.number} selesai. ${next.body.message || ""}`);
  }
}

function openTransfer() {
  const ticket = state.ticket;
  if (!ticket) return;
  state.transferFor = ticket.id;
  for (const el of root.querySelectorAll(".transfer-number")) el.textContent = ticket.number;
  let n = 0;
  for (const option of root.querySelectorAll(".transfer-option")) {
    const usable = option.dataset.service !== ticket.service && option.dataset.postponed !== "true";
    option.hidden = option.dataset.service === ticket.service;
    option.dataset.key = usable && n < 9 ? String(++n) : "";
    option.querySelector(".option-key").textContent = option.dataset.key;
  }
  $("transfer").showModal();
  root.querySelector(".transfer-option[data-key='1']")?.focus();
}

function closeTransfer() {
  state.transferFor = null;
  if ($("transfer").open) $("transfer").close();
}

async function transfer(button) {
  const ticket = state.ticket;
  const meant = state.transferFor;
  closeTransfer();
  if (!ticket || ticket.id !== meant) return;
  const code = button.dataset.service;
  const answer = await perform(`/api/tickets/${ticket.id}/transfer`, { service: code });
  if (!answer.ok) return;
  const [id, en] = serviceName(code);
  const at = servedAt(code);
  note("ok", `${ticket.number} dialihkan ke ${id}${at ? ` (${at})` : ""}.`,
       `${ticket.number} transferred to ${en}${at ? ` (${at})` : ""}.`);
}

async function verify(emergency) {
  const ticket = state.ticket;
  if (!ticket) return;
  const answer = await perform(`/api/tickets/${ticket.id}/verify`, { emergency });
  if (!answer.ok) return;
  if (emergency) {
    return note("ok", `Darurat ${ticket.number} dinyatakan sah.`, `${ticket.number}: emergency confirmed.`);
  }
  state.redirected = { ticket: answer.body.ticket, job: undefined, printing: false, status: null };
  renderCurrent();
  note("ok", `${ticket.number} bukan darurat: pengunjung diarahkan ke layanan online.`,
       `${ticket.number} is not an emergency: the visitor is sent to the online service.`);
}

function renderRedirect() {
  const redirected = state.redirected;
  const { number, kiosk } = redirected.ticket;
  say($("redirect-title"), `${number} bukan darurat`, `${number} is not an emergency`);
  say($("print-slip-label"), `Cetak petunjuk di ${kioskName(kiosk)}`, `Print the instructions at ${kioskName(kiosk)}`);
  $("slip-state").hidden = !redirected.status;
  if (redirected.status) {
    $("slip-state").dataset.state = redirected.status;
    say($("slip-state"), ...(redirected.words || SLIP_WORDS[redirected.status](kioskName(kiosk))));
  }
}

async function printSlip() {
  const redirected = state.redirected;
  if (!redirected) return;
  redirected.printing = true;  // one slip per press; a failed one may be tried again
  const answer = await api("POST", "/api/slips", { kiosk: redirected.ticket.kiosk });
  if (!answer.ok) {
    if (answer.status === 401) return;
    const words = answer.status === 0 ? UNREACHABLE : [answer.body.message || `HTTP ${answer.status}`];
    return slipState("failed", words);
  }
  redirected.job = answer.body.print.id;
  slipState(answer.body.print.status);
  if (state.printSeen.has(redirected.job)) slipState(state.printSeen.get(redirected.job));
}

function slipState(status, words) {
  const redirected = state.redirected;
  if (!redirected) return;
  const shown = status === "printing" ? "queued" : status;
  Object.assign(redirected, { status: shown, words, printing: shown !== "failed" });
  renderCurrent();
  updateButtons();
}

function closeRedirect() {
  state.redirected = null;
  renderCurrent();
  updateButtons();
}

// --- the live channel ---

function startLive() {
  if (state.live) {
    if (!state.live.socket.connected) state.live.socket.connect();
    return;
  }
  state.live = connectLive({
    onState: scheduleRefresh,
    onEvent: (event) => { if (event.event !== "mode") scheduleRefresh(); },
    onPrint,
    onConnection,
  });
}

function onPrint(job) {
  state.printSeen.set(job.id, job.status);  // a job may finish before the slip's answer arrives
  if (state.printSeen.size > 50) state.printSeen.delete(state.printSeen.keys().next().value);
  if (state.redirected && job.id === state.redirected.job) slipState(job.status);
}

function onConnection(connected) {
  state.connected = connected;
  root.dataset.live = connected ? "up" : "down";
  clearTimeout(state.offlineTimer);
  if (connected) $("link").hidden = true;
  else if (state.session) state.offlineTimer = setTimeout(showOffline, OFFLINE_NOTICE_MS);
}

function showOffline() {
  $("link").hidden = state.connected || !state.session;
}

function tick() {
  renderClock();
  state.ticks += 1;
  if (state.ticks % 10 === 0) renderWaitTimes();
  const stale = Date.now() - state.lastRefresh > OFFLINE_REFRESH_MS;
  if (!state.connected && stale && root.dataset.screen === "desk") refreshDesk();
}

// --- input: clicks and keys ---

const ACTIONS = {
  "call-next": () => run(callNext), call: (b) => run(callTicket, b),
  recall: () => run(move, "recall"), start: () => run(move, "start"), finish: () => run(move, "finish"),
  "no-show": () => run(move, "no-show"), "finish-next": () => run(finishAndCallNext),
  transfer: openTransfer, "transfer-to": (b) => run(transfer, b), "transfer-cancel": closeTransfer,
  confirm: () => run(verify, true), reject: () => run(verify, false),
  "print-slip": () => run(printSlip), "close-redirect": closeRedirect,
  choose: (b) => openCounter(Number(b.dataset.counter)), switch: showChoose, logout: () => run(logout),
};

root.addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (!button || button.disabled) return;
  if (button.dataset.lang) return setLang(button.dataset.lang);
  if (state.busy) return;
  ACTIONS[button.dataset.action]?.(button);
});

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing || event.repeat) return;
  if ($("transfer").open) return transferKey(event);
  if (root.dataset.screen !== "desk" || event.target.closest?.("input, textarea, select")) return;
  const action = KEYS[event.key.toLowerCase()];
  if (!action) return;
  event.preventDefault();
  press(root.querySelector(`button[data-action="${action}"]`));
});

function transferKey(event) {
  if (!/^[1-9]$/.test(event.key)) return;
  event.preventDefault();
  press(root.querySelector(`.transfer-option[data-key="${event.key}"]`));
}

function press(button) {
  if (!button || button.disabled || button.closest("[hidden]")) return;
  button.classList.add("is-pressed");  // the key did reach its button
  setTimeout(() => button.classList.remove("is-pressed"), 150);
  button.click();
}

$("login-form").addEventListener("submit", login);
$("transfer").addEventListener("close", () => {  // Esc closes it too
  if (!$("transfer").open) state.transferFor = null;
});
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && state.session) client.keepSession().then(refreshDesk);
});
setInterval(client.keepSession, SESSION_EVERY_MS);
setInterval(tick, 1000);
boot();
