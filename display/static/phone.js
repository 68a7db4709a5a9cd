/**
 * The visitor's phone page (issue 5): one ticket, live. "3 orang di depan Anda" while it
 * waits; "Silakan menuju Loket 2", large and with a vibration, the moment it is called.
 *
 * The page connects as a phone (`?watch=<token>`): the server sends it its ticket's view at
 * once and again whenever that view changes (its position moves when other tickets of its
 * service are called, issued with priority or transferred), with `event` when the change was
 * its own (a recall changes nothing else). It hears nothing of other tickets. When the server
 * refuses the connection (full, or too many from this address: SPEC "Capacity") or it drops,
 * the page asks /api/tickets/<token> every 15 s instead, and tries the live connection again
 * a minute after a refusal. The estimated wait is the server's (estimated_wait_minutes), shown
 * only when it gives one. Once the ticket has ended (done, no-show, redirected, expired) the
 * socket is closed: nothing can change any more, and the server's places are for those
 * still waiting.
 *
 * Issue 21: on one tap the page alerts its visitor when [phone] alert_at or fewer are ahead and
 * when called (phone-alert.js: vibration, a tone, a notification where allowed); once the ticket
 * is done it offers the satisfaction survey where the office holds one (phone-survey.js).
 */
import { transportOptions } from "../js/live.js";
import { io } from "../vendor/socket.io/socket.io.esm.min.js";
import {
  askPermission, canVibrate, notify, notifyState, play, prepareNotifications, unlock, vibrate,
} from "./phone-alert.js";
import { startSurvey } from "./phone-survey.js";

const $ = (id) => document.getElementById(id);
const root = $("phone");
const TOKEN = root.dataset.token;
const SERVICES = JSON.parse(root.dataset.services);
const POLL_MS = 15000;             // SPEC: a phone without a live connection asks every 15 s
const REFUSED_RETRY_MS = 60000;    // a refused phone tries the live connection again after this (plus jitter)
const REFUSED = new Set([429, 503]);
const OFFLINE_NOTICE_MS = 3000;    // a phone's connection blinks often: only a real loss is worth saying
const VIBRATION = [400, 200, 400, 200, 800];
const NEAR_VIBRATION = [200, 100, 200];
const ALERT_AT = Number(root.dataset.alertAt || 3);  // [phone] alert_at: alert with this many or fewer ahead
const FINAL = new Set(["done", "no_show", "redirected", "expired", "missing"]);
const ZONE = root.dataset.timezone || "Asia/Jakarta";

let ticket = JSON.parse(root.dataset.ticket);
let offlineTimer = null;
let downSince = null;  // when the live connection was last lost (null while it is up)
let pollTimer = null;
let polled = false;  // whether the last poll reached the server
let finished = false;
let socket = null;

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

/** "Your turn is near", with how many are still ahead: the banner's and the notification's title. */
function nearWords(position) {
  if (position === 0) return ["Giliran Anda hampir tiba: Anda berikutnya", "Your turn is near: you are next"];
  return [`Giliran Anda hampir tiba: ${position} orang lagi`,
          `Your turn is near: ${position} ${position === 1 ? "person" : "people"} ahead`];
}

function calledWords(t) {
  const counter = t.counter_name || `Loket ${t.counter}`;
  return [`Nomor ${t.number} dipanggil ke ${counter}`, `Number ${t.number} is called to ${counter}`];
}

/** Indonesian "a, b dan c" / English "a, b and c". */
function list(items, and) {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} ${and} ${items[items.length - 1]}`;
}

/** What the alert does on this phone, said plainly: no promise of what this browser cannot give. */
function alertWords() {
  const when = ALERT_AT === 0
    ? ["saat Anda berikutnya", "when you are next"]
    : [`saat tinggal ${ALERT_AT} orang di depan Anda`,
       `when ${ALERT_AT} ${ALERT_AT === 1 ? "person is" : "people are"} ahead of you`];
  if (root.dataset.alert === "off") {
    return [`Sekali ketuk: kami beri tanda ${when[0]} dan saat nomor Anda dipanggil.`,
            `One tap: we give you a signal ${when[1]} and when your number is called.`];
  }
  const notifies = root.dataset.notify === "granted";
  const does = [
    list([canVibrate && "bergetar", "berbunyi", notifies && "menampilkan notifikasi"].filter(Boolean), "dan"),
    list([canVibrate && "vibrate", "sound", notifies && "show a notification"].filter(Boolean), "and")];
  const who = canVibrate ? ["ponsel", "the phone"] : ["halaman ini", "this page"];
  const what = [`${who[0]} akan ${does[0]} ${when[0]} dan saat nomor Anda dipanggil.`,
                `${who[1]} will ${does[1]} ${when[1]} and when your number is called.`];
  if (notifies) return [`Siap. Biarkan halaman ini tetap terbuka: ${what[0]}`, `Ready. Keep this page open: ${what[1]}`];
  return [`Ponsel ini tidak mengizinkan notifikasi: biarkan halaman ini terbuka, ${what[0]}`,
          `This phone does not allow notifications: keep this page open; ${what[1]}`];
}

/** A no-show may still be put back in the queue by the counter's staff (the server says until when). */
function mayRequeue(t) {
  return t.status === "no_show" && t.requeueable === true && Boolean(t.requeue_until);
}

function requeueWords(t) {
  const time = new Intl.DateTimeFormat("id-ID", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: ZONE })
    .format(new Date(t.requeue_until)).replace(":", ".");
  return [`Sudah kembali? Temui petugas loket sebelum pukul ${time}: nomor Anda dapat diantrekan lagi tanpa mengambil nomor baru.`,
          `Back already? See the counter staff before ${time}: your number can be put back in the queue, no new number needed.`];
}

/** Whether the ticket can change no more: the page then stops listening. */
function isFinal(t) {
  return FINAL.has(t.status) && !mayRequeue(t);
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
      sub: mayRequeue(t) ? requeueWords(t) : ["Nomor ini tidak berlaku lagi. Silakan ambil nomor baru di kios atau tanyakan kepada petugas informasi.",
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
  $("near").hidden = root.dataset.alert !== "near" || !isNear(ticket);  // the alert's banner, for a visitor who asked
  say($("near-main"), ...nearWords(ticket.position));
  $("alert").hidden = ticket.status !== "waiting";
  $("alert-button").hidden = root.dataset.alert !== "off";
  say($("alert-info"), ...alertWords());
  document.title = `${ticket.number} — ${w.main[document.documentElement.lang === "en" ? 1 : 0]}`;
}

function show(view) {
  const before = ticket.status;
  ticket = { ...ticket, ...view };
  watchNear();
  render();
  if (ticket.status === "called" && before !== "called") alertCalled();
  if (isFinal(ticket)) finish();
  offerSurvey();
}

/** The satisfaction survey, once the ticket is done, where the office holds one. */
function offerSurvey() {
  if (ticket.status === "done" && root.dataset.survey === "on") startSurvey(TOKEN, say);
}

function alertCalled() {
  const status = $("status");
  status.classList.remove("is-new");
  void status.offsetWidth;  // restart the animation on a recall
  status.classList.add("is-new");
  // Phones allow it only after the visitor has touched the page once (e.g. the language).
  vibrate(VIBRATION);
  if (root.dataset.alert === "off") return;
  root.dataset.alert = "called";
  play("called");
  announce(calledWords(ticket), ["Tunjukkan tiket Anda kepada petugas.", "Show your ticket to the staff."]);
}

// --- the near-turn alert (issue 21) ---
// data-alert: "off" until the visitor asks, "armed", "near" once alerted (back to "armed" should the
// position move away again, so each crossing of alert_at alerts once), "called".

function isNear(t) {
  return t.status === "waiting" && Number.isInteger(t.position) && t.position <= ALERT_AT;
}

/** Alert when the position first comes within alert_at; once per crossing, not on every update. */
function watchNear() {
  if (root.dataset.alert === "called" && ticket.status === "waiting") root.dataset.alert = "armed";  // requeued
  const near = isNear(ticket);
  if (near && root.dataset.alert === "armed") alertNear();
  else if (!near && root.dataset.alert === "near") root.dataset.alert = "armed";
}

function alertNear() {
  root.dataset.alert = "near";
  vibrate(NEAR_VIBRATION);
  play("near");
  const service = SERVICES[ticket.service] || { id: ticket.service_name, en: ticket.service_name };
  announce(nearWords(ticket.position), [`Nomor ${ticket.number}, ${service.id}. Bersiaplah di ruang tunggu.`,
                                        `Number ${ticket.number}, ${service.en}. Be ready in the waiting hall.`]);
}

/** A system notification, in the language the page shows, where the visitor allowed one. */
function announce(title, body) {
  const en = document.documentElement.lang === "en" ? 1 : 0;
  notify(title[en], { body: body[en], tag: `antrian-${TOKEN}`, renotify: true, lang: en ? "en" : "id" });
}

/** The visitor's tap: open sound and vibration, ask (only now) whether the page may notify. */
async function arm() {
  unlock();  // within the touch, or the phone keeps the sound shut
  root.dataset.alert = isNear(ticket) ? "near" : "armed";  // already near: the visitor is looking
  render();
  root.dataset.notify = await askPermission();
  prepareNotifications();
  render();
}

// --- hearing from the server ---

function onTicket(view) {
  show(view);
  if (view.event === "recalled") alertCalled();
}

/** Ask once over HTTP: while the live connection is down or refused. */
async function poll() {
  if (finished) return;
  try {
    const answer = await fetch(`/api/tickets/${encodeURIComponent(TOKEN)}`, { cache: "no-store" });
    if (answer.status === 404) show({ status: "missing" });
    else if (answer.ok) show((await answer.json()).ticket);
    polled = answer.ok || answer.status === 404;
  } catch {
    polled = false;  // offline: the next turn asks again
  }
  sayIfOffline();
}

function polling(on) {
  if (on && !pollTimer && !finished) {
    poll();
    pollTimer = setInterval(poll, POLL_MS);
  } else if (!on && pollTimer) {
    clearInterval(pollTimer);
    pollTimer = null;
  }
}

/** Say how the page hears of its ticket when it has no live connection: "connection lost" when
 * neither the socket nor the last poll reached the server, else "updates every 15 seconds" (SPEC).
 * Only after OFFLINE_NOTICE_MS, as a phone's connection blinks often; a refusal lasts, so at once. */
function sayIfOffline() {
  const down = !finished && root.dataset.live !== "up";
  if (!down) {
    clearTimeout(offlineTimer);
    offlineTimer = null;
    downSince = null;
  } else if (downSince === null) {
    downSince = Date.now();
    offlineTimer = setTimeout(() => { offlineTimer = null; sayIfOffline(); }, OFFLINE_NOTICE_MS);
  }
  const long = down && Date.now() - downSince >= OFFLINE_NOTICE_MS;
  $("offline").hidden = !(long && !polled);
  $("slow").hidden = !(down && polled && (long || root.dataset.live === "refused"));
}

function onConnection(connected) {
  if (finished) return;
  if (root.dataset.live !== "refused" || connected) root.dataset.live = connected ? "up" : "down";
  if (!connected && !pollTimer) polled = false;  // until a poll says otherwise (one already polling still holds)
  polling(!connected);
  sayIfOffline();
}

/** A refused handshake (the server is full, or this address holds too many): stop retrying
 * at the socket's pace, keep polling, and try again in a minute. */
function onConnectError(err) {
  if (err && err.data && err.data.error === "ticket_not_found") {
    show({ status: "missing" });
    return;
  }
  if (err && REFUSED.has(err.description)) {
    root.dataset.live = "refused";
    socket.disconnect();
    onConnection(false);
    setTimeout(() => { if (!finished) socket.connect(); }, REFUSED_RETRY_MS * (1 + Math.random()));
  } else {
    onConnection(false);
  }
}

function finish() {
  if (finished) return;
  finished = true;
  root.dataset.live = "closed";
  sayIfOffline();
  polling(false);
  if (socket) socket.disconnect();
}

// --- language ---

function setLang(lang) {
  document.documentElement.lang = lang;
  for (const button of root.querySelectorAll(".lang [data-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === lang));
  }
  try { localStorage.setItem("antrian.lang", lang); } catch { /* private mode: just not remembered */ }
  render();
}

$("alert-button").addEventListener("click", arm);

root.addEventListener("click", (event) => {
  const button = event.target.closest("[data-lang]");
  if (button) setLang(button.dataset.lang);
});

// --- start ---

$("status").addEventListener("animationend", () => $("status").classList.remove("is-new"));
// A phone back from its pocket may have slept through changes: ask at once.
document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") poll(); });

root.dataset.alert = "off";
root.dataset.notify = notifyState();

let saved = null;
try { saved = localStorage.getItem("antrian.lang"); } catch { /* no storage */ }
if (saved === "en" || saved === "id") setLang(saved);
else render();

if (isFinal(ticket)) {
  finish();
  offerSurvey();
} else {
  socket = io({ ...transportOptions(), query: { watch: TOKEN } });
  socket.on("ticket", onTicket);
  socket.on("connect", () => onConnection(true));
  socket.on("disconnect", () => onConnection(false));
  socket.on("connect_error", onConnectError);
}
