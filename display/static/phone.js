/**
 * The visitor's phone page (issue 5): one ticket, live. "3 orang di depan Anda" while it
 * waits; "Silakan menuju Loket 2", large and with a vibration, the moment it is called.
 *
 * The server pushes `ticket` for changes of this ticket (after `watch`). Its position also
 * moves when OTHER tickets of its service are called, issued with priority or transferred,
 * so a `queue` event of its service asks again with `watch` (at most one question in flight,
 * one more after a burst). The page shows nothing about other tickets. The estimated wait is
 * the server's (estimated_wait_minutes), shown only when it gives one. Once the ticket has
 * ended (done, no-show, redirected, expired) the socket is closed: nothing can change any
 * more, and the server's threads are for those still waiting.
 */
import { connectLive } from "../js/live.js";

const $ = (id) => document.getElementById(id);
const root = $("phone");
const TOKEN = root.dataset.token;
const SERVICES = JSON.parse(root.dataset.services);
const WATCH_DELAY_MS = 300;        // one question for a burst of events
const WATCH_RETRY_MS = 2000;
const OFFLINE_NOTICE_MS = 3000;    // a phone's connection blinks often: only a real loss is worth saying
const VIBRATION = [400, 200, 400, 200, 800];
const FINAL = new Set(["done", "no_show", "redirected", "expired", "missing"]);

let ticket = JSON.parse(root.dataset.ticket);
let asking = false;
let askAgain = false;
let watchTimer = null;
let offlineTimer = null;
let finished = false;
let live = null;

// --- words ---

/** The server's estimate, made only once today's service times allow one; else nothing is said. */
function estimate(t) {
  const minutes = t.status === "waiting" ? t.estimated_wait_minutes : null;
  if (!minutes) return ["", ""];
  return [`Perkiraan waktu tunggu sekitar ${minutes} menit`, `Estimated wait: about ${minutes} min`];
}

function ahead(position) {
  if (position === null || position === undefined) return ["", ""];
  if (position === 0) return ["Anda berikutnya", "You are next"];
  return [`${position} orang di depan Anda`, `${position} ${position === 1 ? "person" : "people"} ahead of you`];
}

/** What the page says for the ticket's state: a small lead line, the main line, a detail. */
function words(t) {
  const counter = t.counter_name || (t.counter ? `Loket ${t.counter}` : "loket");
  switch (t.status) {
    case "waiting": return {
      lead: ["Menunggu panggilan", "Waiting to be called"],
      main: ahead(t.position),
      sub: t.position === 0
        ? ["Tidak ada antrean di depan Anda. Bersiaplah, nomor Anda segera dipanggil.",
           "No one is ahead of you. Get ready: your number will be called soon."]
        : ["Nomor Anda akan dipanggil di layar ruang tunggu dan dengan suara.",
           "Your number will be called on the hall screen and by voice."] };
    case "called": return {
      lead: ["Nomor Anda dipanggil", "Your number is called"],
      main: [`Silakan menuju ${counter}`, `Please go to ${counter}`],
      sub: ["Tunjukkan tiket Anda kepada petugas.", "Show your ticket to the staff."] };
    case "serving": return {
      lead: ["Sedang dilayani", "Being served"],
      main: [`Anda sedang dilayani di ${counter}`, `You are being served at ${counter}`],
      sub: ["", ""] };
    case "done": return {
      lead: ["Selesai", "Done"],
      main: ["Pelayanan selesai", "Service complete"],
      sub: ["Terima kasih atas kunjungan Anda.", "Thank you for your visit."] };
    case "no_show": return {
      lead: ["Tidak hadir", "Missed"],
      main: ["Anda tidak hadir saat dipanggil", "You were not there when called"],
      sub: ["Nomor ini tidak berlaku lagi. Silakan ambil nomor baru di kios atau tanyakan kepada petugas informasi.",
            "This number is no longer valid. Please take a new number at the kiosk or ask at the information desk."] };
    case "redirected": return {
      lead: ["Dialihkan ke layanan online", "Redirected to the online service"],
      main: ["Silakan urus secara online", "Please apply online"],
      sub: ["Petugas tidak dapat melayani keperluan ini sebagai keperluan darurat. Silakan ajukan melalui layanan online:",
            "The counter could not serve this as an emergency. Please apply through the online service:"] };
    case "expired": return {
      lead: ["Kedaluwarsa", "Expired"],
      main: ["Nomor ini sudah tidak berlaku", "This number is no longer valid"],
      sub: ["Hari pelayanan berakhir sebelum nomor ini dipanggil. Silakan ambil nomor baru pada hari kerja berikutnya.",
            "The service day ended before this number was called. Please take a new number on the next working day."] };
    default: return {
      lead: ["", ""], main: ["Tiket tidak ditemukan", "Ticket not found"],
      sub: ["Silakan tanyakan kepada petugas informasi.", "Please ask at the information desk."] };
  }
}

/** Put text in both languages into el; phone.css shows the one of <html lang>. */
function say(el, id, en) {
  el.replaceChildren(part("id", id), part("en", en));
}

function part(lang, text) {
  const span = document.createElement("span");
  span.dataset.l = lang;
  span.lang = lang;
  span.textContent = text;
  return span;
}

// --- drawing ---

function render() {
  const w = words(ticket);
  const service = SERVICES[ticket.service] || { id: ticket.service_name, en: ticket.service_name };
  root.dataset.status = ticket.status;
  $("number").textContent = ticket.number;
  say($("service"), service.id, service.en);
  $("priority").hidden = !ticket.priority;
  say($("status-lead"), ...w.lead);
  say($("status-main"), ...w.main);
  const wait = estimate(ticket);
  say($("status-wait"), ...wait);
  $("status-wait").hidden = !wait[0];
  say($("status-sub"), ...w.sub);
  $("status-sub").hidden = !w.sub[0];
  $("status-link").hidden = ticket.status !== "redirected";
  $("note").hidden = ticket.status !== "waiting";
  document.title = `${ticket.number} — ${w.main[document.documentElement.lang === "en" ? 1 : 0]}`;
}

function show(view) {
  const before = ticket.status;
  ticket = { ...ticket, ...view };
  render();
  if (ticket.status === "called" && before !== "called") alertCalled();
  if (FINAL.has(ticket.status)) finish();
}

function alertCalled() {
  const status = $("status");
  status.classList.remove("is-new");
  void status.offsetWidth;  // restart the animation on a recall
  status.classList.add("is-new");
  // Phones allow it only after the visitor has touched the page once (e.g. the language).
  if (navigator.vibrate) navigator.vibrate(VIBRATION);
}

// --- asking the server ---

function watch() {
  if (finished || !live || !live.socket.connected) return;
  if (asking) {
    askAgain = true;
    return;
  }
  asking = true;
  live.socket.timeout(5000).emit("watch", { token: TOKEN }, (err, answer) => {
    asking = false;
    if (!err && answer && answer.ticket) show(answer.ticket);
    else if (!err && answer && answer.error === "ticket_not_found") show({ status: "missing" });
    if (err) setTimeout(watch, WATCH_RETRY_MS);
    else if (askAgain) {
      askAgain = false;
      watch();
    }
  });
}

function watchSoon() {
  if (!watchTimer) watchTimer = setTimeout(() => { watchTimer = null; watch(); }, WATCH_DELAY_MS);
}

function onEvent(event) {
  const other = event.ticket;
  if (!other) return;
  const mine = other.number === ticket.number;
  if (mine || other.service === ticket.service || event.event === "transferred") watchSoon();
  if (mine && event.event === "recalled") alertCalled();
}

function onConnection(connected) {
  if (finished) return;
  const wasDown = root.dataset.live === "down";
  root.dataset.live = connected ? "up" : "down";
  if (connected) {
    clearTimeout(offlineTimer);
    $("offline").hidden = true;
    watch();  // a new connection (or a restarted server) has forgotten who watches what
  } else if (!wasDown) {  // every failed retry says so again: count from the first
    offlineTimer = setTimeout(() => { $("offline").hidden = false; }, OFFLINE_NOTICE_MS);
  }
}

function finish() {
  if (finished) return;
  finished = true;
  clearTimeout(offlineTimer);
  $("offline").hidden = true;
  root.dataset.live = "closed";
  if (live) live.socket.disconnect();
}

// --- language ---

function setLang(lang) {
  document.documentElement.lang = lang;
  for (const button of root.querySelectorAll("[data-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === lang));
  }
  try { localStorage.setItem("antrian.lang", lang); } catch { /* private mode: just not remembered */ }
  render();
}

root.addEventListener("click", (event) => {
  const button = event.target.closest("[data-lang]");
  if (button) setLang(button.dataset.lang);
});

// --- start ---

$("status").addEventListener("animationend", () => $("status").classList.remove("is-new"));
// A phone back from its pocket may have slept through changes: ask at once.
document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") watch(); });

let saved = null;
try { saved = localStorage.getItem("antrian.lang"); } catch { /* no storage */ }
if (saved === "en" || saved === "id") setLang(saved);
else render();

if (FINAL.has(ticket.status)) {
  finish();
} else {
  live = connectLive({ onState: watchSoon, onEvent, onConnection });
  live.socket.on("ticket", (view) => {
    show(view);
    watchSoon();  // pushes and answers may cross: the last word is always an answer asked later
  });
}
