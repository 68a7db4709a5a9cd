/**
 * The supervisor's view (issue 6): the admission mode and its switch, today's figures live,
 * the notices, the kiosk printers, and the daily report with its server-drawn charts.
 *
 * Everything shown comes from the admin API; the live channel only says *when* to ask
 * again: `queue` events refresh today's figures (several in a burst make one request),
 * a `mode` event the mode, `print` events the printers, `notices` the notices nobody is
 * editing here. Fixed texts are in the markup in two languages; the language toggle only
 * flips <html lang> (and the language of the chart images).
 */
import { connectLive } from "../js/live.js";
import {
  createStaffClient, focusLogin, LOGIN_MISSING, remember, SESSION_EVERY_MS, showLoginForm, stored, UNREACHABLE,
} from "../js/staff.js";
import { $, bi, element, say, showLanguage } from "../js/words.js";

const root = document.getElementById("admin");
const NAMES = JSON.parse(root.dataset.names);
const SERVICES = new Map(NAMES.services.map((s) => [s.code, s]));
const KIOSKS = new Map(NAMES.kiosks.map((k) => [k.id, k]));
const REASONS = new Map(NAMES.reasons.map((r) => [r.code, r]));
const TIMEZONE = NAMES.timezone;

const TODAY_REFRESH_MS = 300;     // events in a burst make one refresh, at most this late
const PRINTERS_REFRESH_MS = 300;
const REPORT_REFRESH_MS = 3000;   // today's report and charts: a few seconds behind is fine
const OFFLINE_NOTICE_MS = 1500;
const MAX_RANGE_DAYS = 92;        // the server's limit for /api/reports/range.csv
const STORE = { lang: "antrian.admin.lang", user: "antrian.admin.user" };

const state = {
  session: null, live: null, snapshot: null, today: null, todayReport: null, admission: null,
  reportDate: null, report: null, reportAsked: 0, chartVersion: 0, pendingMode: null, found: null, notices: null,
  offlineTimer: null, busy: new Set(),
};

// --- words ---

const MODE_NAMES = {
  normal: ["Normal", "Normal"], emergency_only: ["Hanya darurat", "Emergencies only"], closed: ["Tutup", "Closed"],
};
const MODE_LONG = {
  normal: ["Normal — pelayanan tatap muka dibuka", "Normal — walk-in service is open"],
  emergency_only: ["Hanya darurat — pengunjung lain diarahkan online", "Emergencies only — others are sent online"],
  closed: ["Tutup — kios tidak memberi nomor antrian", "Closed — the kiosk gives no queue numbers"],
};
const MODE_EFFECT = {
  normal: ["Kios memberi nomor antrian kepada semua pengunjung, kecuali untuk layanan yang ditunda.",
           "The kiosk gives every visitor a queue number, except for postponed services."],
  emergency_only: ["Kios hanya memberi nomor untuk keperluan darurat; pengunjung lain diarahkan ke layanan online.",
                   "The kiosk gives numbers for emergencies only; everyone else is sent to the online service."],
  closed: ["Kios tidak memberi nomor antrian sama sekali.", "The kiosk gives no queue numbers at all."],
};
const OUTCOME_WORDS = {
  ticket: ["Dapat nomor antrian", "Got a queue number"], online: ["Diarahkan ke layanan online", "Sent online"],
  postponed: ["Layanan ditunda", "Service postponed"], closed: ["Pelayanan ditutup", "Service closed"],
  full: ["Kuota penuh", "Quota full"],
};
const STATUS_WORDS = {
  waiting: ["Menunggu", "Waiting"], called: ["Dipanggil", "Called"], serving: ["Sedang dilayani", "Being served"],
  done: ["Selesai", "Done"], no_show: ["Tidak hadir", "No-show"], redirected: ["Diarahkan online", "Sent online"],
  expired: ["Kedaluwarsa", "Expired"],
};
const PAPER_WORDS = {
  ok: ["Kertas ada", "Paper present"], low: ["Kertas hampir habis", "Paper running low"],
  out: ["Kertas habis", "Out of paper"], unknown: ["Tidak diketahui (printer tidak menjawab)", "Unknown (the printer did not answer)"],
};
const JOB_WORDS = {
  queued: ["menunggu dicetak", "waiting to print"], printing: ["sedang dicetak", "printing"],
  printed: ["tercetak", "printed"], failed: ["gagal", "failed"],
};
const KIND_WORDS = { ticket: ["Tiket", "Ticket"], slip: ["Lembar petunjuk online", "Online slip"] };
const PRIORITY_WORDS = {
  lansia: ["Lansia", "Elderly"], disabilitas: ["Disabilitas", "Disability"], ibu_hamil: ["Ibu hamil", "Pregnant"],
  balita: ["Membawa balita", "With a small child"], ya: ["Prioritas", "Priority"], none: ["Bukan prioritas", "Not priority"],
};
const TZ_NAMES = { "Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT" };

function cell(tag, className, ...children) {
  return element(tag, className, ...children.flat());
}

function lang() {
  return document.documentElement.lang === "en" ? "en" : "id";
}

// --- dates, times and numbers ---

function tzName() {
  return TZ_NAMES[TIMEZONE] || TIMEZONE;
}

/** "Senin, 2 Maret 2026 09.15 WIB" / "Monday 2 March 2026, 09:15 WIB" for a stored instant. */
function momentWords(iso, language) {
  if (!iso) return "";
  const options = { timeZone: TIMEZONE, weekday: "long", day: "numeric", month: "long", year: "numeric",
                    hour: "2-digit", minute: "2-digit", hour12: false };
  const locale = language === "id" ? "id-ID" : "en-GB";
  return `${new Intl.DateTimeFormat(locale, options).format(new Date(iso))} ${tzName()}`;
}

function momentBoth(iso) {
  return [momentWords(iso, "id"), momentWords(iso, "en")];
}

function timeWords(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat("id-ID", { timeZone: TIMEZONE, hour: "2-digit", minute: "2-digit", hour12: false })
    .format(new Date(iso));
}

/** A service day "2026-03-02" in words, without any timezone shift. */
function dayWords(day, language) {
  const [y, m, d] = day.split("-").map(Number);
  return new Intl.DateTimeFormat(language === "id" ? "id-ID" : "en-GB",
    { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

function dayBoth(day) {
  return [dayWords(day, "id"), dayWords(day, "en")];
}

function shiftDay(day, days) {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

function daysBetween(from, until) {
  return Math.round((Date.parse(`${until}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86400000);
}

function minutesBoth(seconds) {
  if (seconds === null || seconds === undefined) return ["–", "–"];
  const minutes = (seconds / 60).toFixed(1);
  return [`${minutes.replace(".", ",")} mnt`, `${minutes} min`];
}

function percent(part_, whole) {
  return whole ? Math.round((100 * part_) / whole) : 0;
}

function serviceBoth(code) {
  const s = SERVICES.get(code);
  return s ? [s.name, s.name_en] : [code, code];
}

// --- talking to the server ---

/** Admin requests: a lost session leads to the login, a staff session to the refusal. */
const client = createStaffClient({
  getSession: () => state.session,
  setSession: (session) => { state.session = session; },
  onLoggedOut: sessionLost,
  onAnswer(answer) {
    if (answer.status === 403 && answer.body.error === "admin_only") refusedHere(state.session);
  },
  answerSessionFailure: true,  // no fresh token: say why (e.g. unreachable), not the stale-token refusal
});
const { http, api } = client;

function problem(answer) {
  if (answer.status === 0) return UNREACHABLE;
  return [answer.body.message || `Permintaan ditolak (HTTP ${answer.status}).`,
          answer.body.message || `Request refused (HTTP ${answer.status}).`];
}

function note(id, kind, words) {
  $(id).dataset.kind = kind;
  if (words) say($(id), ...words);
  else $(id).replaceChildren();
}

/** Run fn at most once per `ms` after being asked, however many times it is asked; never twice at once. */
function coalesced(fn, ms) {
  let timer = null;
  let running = false;
  let again = false;
  async function run() {
    timer = null;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await fn();
    } finally {
      running = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  }
  function schedule() {
    if (!timer) timer = setTimeout(run, ms);
  }
  return schedule;
}

// --- screens, the bar, the session ---

function show(screen, focusId) {
  for (const name of ["login", "refused", "board"]) $(name).hidden = name !== screen;
  $("loading").hidden = true;
  root.dataset.screen = screen;
  $("who").hidden = screen !== "board";
  $("logout").hidden = screen !== "board";
  if (state.session) $("who").textContent = `${state.session.user} (admin)`;
  if (focusId) $(focusId).focus();
}

function setLang(language) {
  showLanguage(root, language);
  remember(STORE.lang, language);
  if (state.report) showCharts(state.report);  // the charts are drawn in one language
}

async function boot() {
  setLang(stored(STORE.lang) === "en" ? "en" : "id");
  const answer = await http("GET", "/api/session");
  if (!answer.ok) return showLogin(answer.status === 0 ? UNREACHABLE : null);
  if (answer.body.role !== "admin") return refusedHere(answer.body);
  signedIn(answer.body);
}

function showLogin(problemWords, noticeWords) {
  showLoginForm(problemWords, noticeWords, stored(STORE.user));
  show("login");
  focusLogin();
}

function adminsOnly(session) {
  const user = session ? session.user : "";
  return [`Halaman ini hanya untuk admin. Akun ${user} adalah akun petugas loket: gunakan Konsol Loket.`,
          `This page is for admins only. ${user} is a counter staff account: use the counter console.`];
}

/** A staff (non-admin) session opened this page: say so, and offer a way out. */
function refusedHere(session) {
  stopLive();
  say($("refused-text"), ...adminsOnly(session));
  show("refused", "refused-title");
}

async function login(event) {
  event.preventDefault();
  const answer = await client.sendLogin((busy) => { $("login-button").disabled = busy; });
  if (!answer) return showLogin(LOGIN_MISSING);
  if (!answer.ok) return showLogin(problem(answer));
  if (answer.body.role !== "admin") {
    // The session was opened here only to reach this page: do not leave it behind.
    state.session = answer.body;
    await http("POST", "/api/logout");
    state.session = null;
    return showLogin(adminsOnly(answer.body));
  }
  remember(STORE.user, answer.body.user);
  signedIn(answer.body);
}

async function logout() {
  await http("POST", "/api/logout");
  state.session = null;
  stopLive();
  showLogin(null, ["Anda sudah keluar.", "You have signed out."]);
}

function sessionLost(message) {
  if (!state.session) return;
  state.session = null;
  stopLive();
  showLogin(message ? [message] : null, ["Sesi berakhir. Silakan masuk kembali.", "The session ended. Please sign in again."]);
}

function signedIn(session) {
  state.session = session;
  $("login-error").hidden = true;
  show("board");
  startLive();
  loadAdmission();
  loadNotices();
  loadPrinters();
  loadKiosks();
  loadToday();
}

// --- the live channel ---

const refreshToday = coalesced(loadToday, TODAY_REFRESH_MS);
const refreshPrinters = coalesced(loadPrinters, PRINTERS_REFRESH_MS);
const refreshReport = coalesced(() => (state.reportDate === state.today ? loadReport(state.reportDate, true) : null),
                                REPORT_REFRESH_MS);

function startLive() {
  stopLive();  // it joined the staff room with the cookie of its time: connect anew
  state.live = connectLive({
    onState(snapshot) {
      state.snapshot = snapshot;
      refreshToday();
    },
    onEvent(event) {
      refreshToday();
      refreshReport();
      if (event.event === "mode") loadAdmission();
    },
    onPrint: () => refreshPrinters(),
    onConnection,
  });
  state.live.socket.on("notices", (notices) => showNotices(notices, false));
}

function stopLive() {
  if (state.live) state.live.socket.disconnect();
  state.live = null;
  root.dataset.live = "off";
}

function onConnection(connected) {
  root.dataset.live = connected ? "up" : "down";
  clearTimeout(state.offlineTimer);
  if (connected) {
    $("link").hidden = true;
    refreshToday();  // whatever happened while away
    refreshPrinters();
  } else {
    state.offlineTimer = setTimeout(() => { $("link").hidden = false; }, OFFLINE_NOTICE_MS);
  }
}

// --- the admission mode ---

async function loadAdmission() {
  const answer = await api("GET", "/api/admission");
  if (!answer.ok) return note("mode-note", "error", problem(answer));
  state.admission = answer.body;
  showAdmission();
}

function showAdmission() {
  const { mode, windows, history } = state.admission;
  $("mode-now").dataset.mode = mode.mode;
  $("mode-now").dataset.source = mode.source;
  say($("mode-name"), ...MODE_LONG[mode.mode]);
  say($("mode-why"), ...modeReason(mode, history));
  for (const button of root.querySelectorAll(".mode-button")) {
    const current = button.dataset.mode === mode.mode;
    button.setAttribute("aria-pressed", String(current));
    button.disabled = current && mode.source === "override";  // already set: nothing would change
  }
  root.querySelector(".clear-button").disabled = mode.source !== "override";
  showWindows(windows);
  showHistory(history);
}

function modeReason(mode, history) {
  if (mode.source === "window") {
    const [fromId, fromEn] = dayBoth(mode.from);
    const [untilId, untilEn] = dayBoth(mode.until);
    const ref = mode.reference || "—";
    return [`Sesuai jadwal dari konfigurasi: ${ref}, ${fromId} s.d. ${untilId}.`,
            `By the configured window: ${ref}, ${fromEn} to ${untilEn}.`];
  }
  if (mode.source === "override") {
    const last = history[0] && history[0].mode === mode.mode ? history[0] : null;  // the switch in force
    const [atId, atEn] = last ? momentBoth(last.at) : ["", ""];
    const by = last ? last.by : "admin";
    return [`Diatur oleh admin ${by}, ${atId}. Berlaku sampai override dihapus, juga pada hari-hari berikutnya.`,
            `Set by admin ${by}, ${atEn}. In force until the override is cleared, on later days too.`];
  }
  return [`Mode bawaan dari konfigurasi ([admission] mode = "${state.admission.default}"); tidak ada jadwal atau override yang berlaku hari ini.`,
          `The configured default ([admission] mode = "${state.admission.default}"); no window or override applies today.`];
}

function showWindows(windows) {
  const today = state.today || state.snapshot?.day;
  const items = windows.map((w) => {
    const [fromId, fromEn] = dayBoth(w.from);
    const [untilId, untilEn] = dayBoth(w.until);
    const li = element("li", today && w.from <= today && today <= w.until ? "is-now" : "");
    li.append(element("strong", "", ...bi(...MODE_NAMES[w.mode])), " · ",
              ...bi(`${fromId} s.d. ${untilId}`, `${fromEn} to ${untilEn}`));
    if (w.reference) li.append(element("span", "ref", w.reference));
    return li;
  });
  if (!items.length) items.push(element("li", "empty", ...bi("Tidak ada jadwal.", "No windows.")));
  $("windows").replaceChildren(...items);
}

function showHistory(history) {
  const items = history.map((h) => {
    const li = element("li");
    const what = h.mode ? MODE_NAMES[h.mode] : ["Override dihapus", "Override cleared"];
    li.append(element("span", "h-mode", ...bi(...what)), element("span", "h-who", h.by || "—"),
              element("span", "h-when", ...bi(...momentBoth(h.at))));
    return li;
  });
  if (!items.length) items.push(element("li", "empty", ...bi("Belum pernah diubah.", "Never switched.")));
  $("mode-history").replaceChildren(...items);
}

/** What clearing the override leads to: today's window, else the configured default. */
function modeAfterClear() {
  const today = state.today || state.snapshot?.day;
  const window_ = state.admission.windows.find((w) => today && w.from <= today && today <= w.until);
  return window_ ? [window_.mode, window_.reference] : [state.admission.default, null];
}

function askMode(button) {
  const wanted = button.dataset.mode;
  state.pendingMode = wanted;
  $("mode-confirm").dataset.mode = wanted;
  if (wanted === "clear") {
    const [next, reference] = modeAfterClear();
    const basis = reference ? [` (${reference})`, ` (${reference})`] : [" (bawaan konfigurasi)", " (the configured default)"];
    say($("confirm-question"), `Hapus override? Mode menjadi ${MODE_NAMES[next][0]}${basis[0]}.`,
        `Clear the override? The mode becomes ${MODE_NAMES[next][1]}${basis[1]}.`);
    say($("confirm-effect"), ...MODE_EFFECT[next]);
  } else {
    say($("confirm-question"), `Ubah mode menjadi ${MODE_NAMES[wanted][0]} mulai sekarang?`,
        `Switch to ${MODE_NAMES[wanted][1]} from now on?`);
    say($("confirm-effect"), ...MODE_EFFECT[wanted]);
  }
  note("mode-note", "", null);
  $("mode-confirm").hidden = false;
  $("mode-confirm").scrollIntoView({ block: "nearest" });
  $("mode-confirm-button").focus({ preventScroll: true });
}

function cancelMode() {
  state.pendingMode = null;
  $("mode-confirm").hidden = true;
}

async function confirmMode(button) {
  const wanted = state.pendingMode;
  if (!wanted) return;
  button.disabled = true;
  const answer = await api("POST", "/api/admission/mode", { mode: wanted === "clear" ? null : wanted });
  button.disabled = false;
  if (!answer.ok) return note("mode-note", "error", problem(answer));
  cancelMode();
  const now = MODE_NAMES[answer.body.mode];
  note("mode-note", "ok", [`Mode sekarang: ${now[0]}. Kios dan layar sudah diberi tahu.`,
                           `The mode is now ${now[1]}. Kiosks and displays have been told.`]);
  await loadAdmission();
  $("mode-name").focus({ preventScroll: true });
}

// --- today, live ---

async function loadToday() {
  const [report, snapshot] = await Promise.all([api("GET", "/api/reports/daily"), http("GET", "/api/state")]);
  if (snapshot.ok) state.snapshot = snapshot.body;
  if (!report.ok) return;
  state.todayReport = report.body;
  state.today = report.body.date;
  $("report-date").max = state.today;  // a page left open overnight moves on with the day
  showToday();
  if (!state.reportAsked) pickReportDate(state.today);
}

function showToday() {
  const report = state.todayReport;
  const outcomes = report.visits.by_outcome;
  const total = report.visits.total;
  say($("today-date"), ...dayBoth(report.date));
  for (const outcome of NAMES.outcomes) $(`today-${outcome}`).textContent = String(outcomes[outcome] ?? 0);
  $("today-total").textContent = String(total);
  const share = percent(outcomes.online, total);
  say($("today-online-share"), `${share}% dari ${total} kunjungan`, `${share}% of ${total} visits`);
  const wait = report.wait_seconds;
  const [meanId, meanEn] = minutesBoth(wait.mean);
  const [p90Id, p90En] = minutesBoth(wait.p90);
  say($("today-times"),
      `Waktu tunggu sampai dipanggil: rata-rata ${meanId}, p90 ${p90Id} (${wait.count} tiket dipanggil). Tiket diterbitkan: ${report.tickets.total}.`,
      `Waiting until called: mean ${meanEn}, p90 ${p90En} (${wait.count} ${wait.count === 1 ? "ticket" : "tickets"} called). Tickets issued: ${report.tickets.total}.`);
  if (state.snapshot) {
    showWaiting(state.snapshot.services);
    showCounters(state.snapshot.counters, report.counters);
  }
}

function showWaiting(services) {
  let total = 0;
  const rows = services.map((s) => {
    total += s.waiting;
    const meta = SERVICES.get(s.code) || {};
    const name = cell("th", "", element("span", "prefix", s.prefix), " ", ...bi(...serviceBoth(s.code)));
    name.scope = "row";
    if (meta.postponed) name.append(" ", element("span", "badge", ...bi("ditunda", "postponed")));
    const row = element("tr", s.waiting ? "" : "is-zero", name, element("td", "num", String(s.waiting)));
    row.dataset.service = s.code;
    return row;
  });
  $("waiting-rows").replaceChildren(...rows);
  say($("waiting-total"), `(${total} orang)`, `(${total} people)`);
}

function showCounters(counters, tally) {
  const byId = new Map(tally.map((c) => [c.id, c]));
  const rows = counters.map((c) => {
    const t = c.ticket;
    const ticket = t ? cell("td", `ticket status-${t.status}`, element("strong", "", t.number), " ",
                            element("span", "ticket-status", ...bi(...STATUS_WORDS[t.status])))
      : cell("td", "muted", ...bi("—", "—"));
    const name = element("th", "", c.name);
    name.scope = "row";
    const row = element("tr", "", name, ticket, element("td", "", byId.get(c.id)?.staff || "—"),
                        element("td", "num", String(byId.get(c.id)?.served ?? 0)));
    row.dataset.counter = c.id;
    return row;
  });
  $("counter-rows").replaceChildren(...rows);
}

// --- notices ---

function noticeKey(el) {
  return el.dataset.notice;
}

function noticeOf(notices, key) {
  return key === "running" ? notices.running : notices.services[key.slice("service:".length)];
}

async function loadNotices() {
  const answer = await http("GET", "/api/notices");
  if (answer.ok) showNotices(answer.body, true);
}

/** Show the stored notices; a text being edited here is left alone unless `all`. */
function showNotices(notices, all) {
  state.notices = notices;
  for (const el of root.querySelectorAll("[data-notice]")) {
    const notice = noticeOf(notices, noticeKey(el));
    if (!notice) continue;
    const area = el.querySelector("textarea");
    if (all || el.dataset.dirty !== "true") {
      area.value = notice.text;
      el.dataset.dirty = "false";
    }
    el.dataset.saved = notice.updated_at ? "true" : "false";
    showNoticeMeta(el, notice);
    updateNotice(el);
  }
}

function showNoticeMeta(el, notice) {
  const meta = el.querySelector("[data-part=meta]");
  if (!notice.updated_at) {
    return say(meta, "Teks bawaan dari konfigurasi; belum pernah diubah.", "The configured text; never changed.");
  }
  const [atId, atEn] = momentBoth(notice.updated_at);
  say(meta, `Diubah oleh ${notice.updated_by}, ${atId}`, `Changed by ${notice.updated_by}, ${atEn}`);
}

function updateNotice(el) {
  const area = el.querySelector("textarea");
  const stored_ = state.notices ? noticeOf(state.notices, noticeKey(el)) : null;
  const dirty = stored_ !== null && area.value.trim() !== (stored_?.text ?? "");
  el.dataset.dirty = String(dirty);
  el.querySelector("[data-action=save-notice]").disabled = !dirty;
  el.querySelector("[data-part=count]").textContent = `${area.value.length}/500`;
}

async function saveNotice(button) {
  const el = button.closest("[data-notice]");
  const key = noticeKey(el);
  const text = el.querySelector("textarea").value;
  const body = key === "running" ? { running: text } : { services: { [key.slice("service:".length)]: text } };
  button.disabled = true;
  const answer = await api("POST", "/api/notices", body);
  const stateEl = el.querySelector("[data-part=state]");
  if (!answer.ok) {
    button.disabled = false;
    stateEl.dataset.kind = "error";
    return say(stateEl, ...problem(answer));
  }
  el.dataset.dirty = "false";
  showNotices(answer.body, false);
  el.querySelector("textarea").value = noticeOf(answer.body, key).text;
  updateNotice(el);
  stateEl.dataset.kind = "ok";
  say(stateEl, "Tersimpan. Layar dan kios sudah menampilkannya.", "Saved. Displays and kiosks show it now.");
}

// --- printers and reprints ---

async function loadPrinters() {
  const answer = await api("GET", "/api/printers");
  if (answer.ok) showPrinters(answer.body.printers);
}

function showPrinters(printers) {
  $("printer-list").replaceChildren(...printers.map(printerCard));
  showPrinterAlert(printers);
}

/** Printer trouble is shown in the bar, seen without scrolling: failed jobs, paper out or low. */
function showPrinterAlert(printers) {
  const failed = printers.reduce((n, p) => n + p.failed_jobs.length, 0);
  const paper = printers.filter((p) => p.type !== "preview" && (p.paper === "out" || p.paper === "low"));
  const parts = [];
  if (failed) parts.push([`${failed} gagal dicetak`, `${failed} failed to print`]);
  for (const p of paper) parts.push([`${p.name || p.kiosk}: ${PAPER_WORDS[p.paper][0].toLowerCase()}`,
                                     `${p.name || p.kiosk}: ${PAPER_WORDS[p.paper][1].toLowerCase()}`]);
  $("printer-alert").hidden = parts.length === 0;
  say($("printer-alert"), `Printer: ${parts.map((x) => x[0]).join(" · ")}`, `Printers: ${parts.map((x) => x[1]).join(" · ")}`);
}

function printerCard(p) {
  const card = element("article", "printer");
  card.dataset.kiosk = p.kiosk;
  const preview = p.type === "preview";
  card.dataset.paper = preview ? "none" : p.paper;
  card.dataset.failed = String(p.failed_jobs.length);
  const head = element("div", "printer-head", element("h3", "", p.name || p.kiosk),
                       element("p", "printer-type", preview ? "" : `${p.type} · ${p.address} · ${p.paper_width} mm`));
  if (preview) say(head.lastChild, "Tanpa printer: tiket hanya tampil di layar kios", "No printer: tickets are shown on the kiosk screen only");
  const facts = element("dl", "facts");
  const paper = preview ? ["—", "—"] : PAPER_WORDS[p.paper] || [p.paper, p.paper];
  facts.append(element("dt", "", ...bi("Kertas", "Paper")), element("dd", `paper paper-${preview ? "none" : p.paper}`, ...bi(...paper)));
  facts.append(element("dt", "", ...bi("Pekerjaan terakhir", "Last job")), element("dd", "last-job", ...lastJob(p.last_job)));
  card.append(head, facts);
  if (p.failed_jobs.length) {
    card.append(element("h4", "failed-title", ...bi(`Gagal dicetak (${p.failed_jobs.length})`, `Failed (${p.failed_jobs.length})`)));
    card.append(element("ul", "failed", ...p.failed_jobs.map(failedJob)));
  }
  return card;
}

function lastJob(job) {
  if (!job) return bi("Belum ada", "None yet");
  const [kindId, kindEn] = KIND_WORDS[job.kind] || [job.kind, job.kind];
  const [statusId, statusEn] = JOB_WORDS[job.status] || [job.status, job.status];
  const what = job.number ? ` ${job.number}` : "";
  const at = timeWords(job.updated_at);  // a failed one is listed below with its reason
  return bi(`${kindId}${what} ${statusId} · ${at}`, `${kindEn}${what} ${statusEn} · ${at}`);
}

function failedJob(job) {
  const [kindId, kindEn] = KIND_WORDS[job.kind] || [job.kind, job.kind];
  const li = element("li", "failed-job");
  li.dataset.job = job.id;
  const what = job.number ? ` ${job.number}` : "";
  const text = element("p", "failed-text",
    element("strong", "", ...bi(`${kindId}${what}`, `${kindEn}${what}`)), " ",
    ...bi(`· ${job.attempts}× dicoba · ${timeWords(job.updated_at)} · ${job.last_error || ""}`,
          `· tried ${job.attempts}× · ${timeWords(job.updated_at)} · ${job.last_error || ""}`));
  const button = element("button", "act small", ...bi("Ulangi", "Retry"));
  button.type = "button";
  button.dataset.action = "retry";
  button.dataset.job = job.id;
  li.append(text, button, element("p", "note job-note"));
  return li;
}

async function retryJob(button) {
  button.disabled = true;
  const answer = await api("POST", `/api/print-jobs/${button.dataset.job}/retry`);
  const noteEl = button.parentElement.querySelector(".job-note");
  if (!answer.ok) {
    button.disabled = false;
    noteEl.dataset.kind = "error";
    return say(noteEl, ...problem(answer));
  }
  noteEl.dataset.kind = "ok";
  say(noteEl, "Dikirim ulang ke printer…", "Sent to the printer again…");
  refreshPrinters();
}

async function findTicket(event) {
  event.preventDefault();
  const number = $("reprint-number").value.trim().toUpperCase();
  $("reprint-found").hidden = true;
  state.found = null;
  if (!/^[A-Z]\d{1,6}$/.test(number)) {
    return note("reprint-note", "error", ["Tulis nomor tiket seperti B001.", "Write a ticket number like B001."]);
  }
  const answer = await api("GET", `/api/tickets/lookup?number=${encodeURIComponent(number)}`);
  if (!answer.ok) return note("reprint-note", "error", problem(answer));
  const t = answer.body.ticket;
  state.found = t;
  const [serviceId, serviceEn] = serviceBoth(t.service);
  const [statusId, statusEn] = STATUS_WORDS[t.status] || [t.status, t.status];
  const kiosk = KIOSKS.get(t.kiosk)?.name || t.kiosk;
  say($("reprint-ticket"), `${t.number} · ${serviceId} · ${statusId} · diambil ${timeWords(t.issued_at)} di ${kiosk}`,
      `${t.number} · ${serviceEn} · ${statusEn} · taken ${timeWords(t.issued_at)} at ${kiosk}`);
  $("reprint-found").hidden = false;
  note("reprint-note", "", null);
  $("reprint-button").focus();
}

async function reprint(button) {
  const t = state.found;
  if (!t) return;
  button.disabled = true;
  const answer = await api("POST", `/api/tickets/${t.id}/reprint`);
  button.disabled = false;
  if (!answer.ok) return note("reprint-note", "error", problem(answer));
  const kiosk = KIOSKS.get(t.kiosk)?.name || t.kiosk;
  note("reprint-note", "ok", [`${t.number} dikirim ke printer ${kiosk}.`, `${t.number} sent to the printer at ${kiosk}.`]);
  $("reprint-found").hidden = true;
  state.found = null;
  refreshPrinters();
}

// --- the daily report ---

function pickReportDate(day) {
  $("report-date").value = day;
  if (!$("range-until").value) {
    $("range-until").value = day;
    $("range-from").value = `${day.slice(0, 8)}01`;
  }
  updateRange();
  loadReport(day);
}

async function loadReport(day, quiet = false) {
  const asked = ++state.reportAsked;
  state.reportDate = day;  // the live refresh of today's report asks for this date from now on
  const answer = await api("GET", `/api/reports/daily?date=${encodeURIComponent(day)}`);
  if (asked !== state.reportAsked) return;  // another date was picked meanwhile: that answer wins
  if (!answer.ok) return note("report-note", "error", problem(answer));
  if (!quiet) note("report-note", "", null);
  state.report = answer.body;
  say($("report-date-words"), ...dayBoth(day));
  $("day-csv").href = `/api/reports/daily.csv?date=${day}`;
  $("next-day").disabled = Boolean(state.today) && day >= state.today;
  showCharts(answer.body);
  showReportTables(answer.body);
}

function showCharts(report) {
  state.chartVersion += 1;
  const language = lang();
  const alts = chartAlts(report)[language];
  for (const img of root.querySelectorAll("img[data-chart]")) {
    const name = img.dataset.chart;
    img.alt = alts[name];
    img.src = `/api/reports/daily/${name}.svg?date=${report.date}&lang=${language}&v=${state.chartVersion}`;
  }
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

/** A table with a caption; heads are [[id, en], numeric?]; a cell is a string/number or [id, en] words. */
function table(className, caption, heads, rows) {
  const t = element("table", `table ${className}`);
  t.append(element("caption", "", ...bi(...caption)));
  const headRow = element("tr");
  heads.forEach(([words, num]) => {
    const th = element("th", num ? "num" : "", ...bi(...words));
    th.scope = "col";
    headRow.append(th);
  });
  t.append(element("thead", "", headRow));
  const body = element("tbody");
  for (const cells of rows) {
    const tr = element("tr");
    cells.forEach((value, i) => {
      const isWords = Array.isArray(value);
      const c = element(i === 0 ? "th" : "td", heads[i][1] ? "num" : "", ...(isWords ? bi(...value) : [String(value)]));
      if (i === 0) c.scope = "row";
      tr.append(c);
    });
    body.append(tr);
  }
  t.append(body);
  return t;
}

function showReportTables(report) {
  const outcomes = report.visits.by_outcome;
  const total = report.visits.total;
  const tickets = report.tickets;
  const [waitMeanId, waitMeanEn] = minutesBoth(report.wait_seconds.mean);
  const [waitP90Id, waitP90En] = minutesBoth(report.wait_seconds.p90);
  const [serveMeanId, serveMeanEn] = minutesBoth(report.service_seconds.mean);
  const [serveP90Id, serveP90En] = minutesBoth(report.service_seconds.p90);
  const summary = table("summary-table", ["Kunjungan dan tiket", "Visits and tickets"], [[["Hal", "Item"]], [["Jumlah", "Count"], true]], [
    [["Kunjungan di kios", "Kiosk visits"], total],
    ...NAMES.outcomes.map((o) => [[`· ${OUTCOME_WORDS[o][0]}`, `· ${OUTCOME_WORDS[o][1]}`], `${outcomes[o]} (${percent(outcomes[o], total)}%)`]),
    [["Tiket diterbitkan", "Tickets issued"], tickets.total],
    ...Object.entries(tickets.by_status).map(([s, n]) => [[`· ${STATUS_WORDS[s][0]}`, `· ${STATUS_WORDS[s][1]}`], n]),
  ]);
  const times = table("times-table", ["Waktu", "Times"], [[["Ukuran", "Measure"]], [["Rata-rata", "Mean"], true], [["p90", "p90"], true], [["Tiket", "Tickets"], true]], [
    [["Menunggu sampai dipanggil", "Waiting until called"], [waitMeanId, waitMeanEn], [waitP90Id, waitP90En], report.wait_seconds.count],
    [["Lama dilayani", "Service time"], [serveMeanId, serveMeanEn], [serveP90Id, serveP90En], report.service_seconds.count],
  ]);
  const services = table("service-table", ["Per layanan", "By service"], [[["Layanan", "Service"]], [["Kunjungan", "Visits"], true], [["Tiket", "Tickets"], true]],
    NAMES.services.map((s) => [[s.name, s.name_en], report.visits.by_service[s.code] || 0, tickets.by_service[s.code] || 0]));
  const counters = table("counter-report", ["Per loket", "By counter"], [[["Loket", "Counter"]], [["Petugas", "Staff"]], [["Dilayani", "Served"], true], [["Tidak hadir", "No-show"], true], [["Rata-rata layanan", "Mean service"], true]],
    report.counters.map((c) => [c.name, c.staff || "—", c.served, c.no_show, minutesBoth(c.mean_service_seconds)]));
  const reasons = table("reason-table", ["Keperluan darurat", "Emergency reasons"], [[["Keperluan", "Reason"]], [["Kunjungan", "Visits"], true]],
    Object.entries(report.visits.by_reason).map(([code, n]) => [reasonBoth(code), n]));
  const priorities = table("priority-table", ["Pengunjung prioritas", "Priority visitors"], [[["Kelompok", "Group"]], [["Kunjungan", "Visits"], true]],
    Object.entries(report.visits.by_priority).map(([kind, n]) => [PRIORITY_WORDS[kind] || [kind, kind], n]));
  const hours = table("hour-table", ["Per jam", "By hour"], [[["Jam", "Hour"]], [["Kedatangan", "Arrivals"], true], [["Panggilan", "Calls"], true]],
    report.by_hour.map((h) => [`${String(h.hour).padStart(2, "0")}.00`, h.arrivals, h.calls]));
  $("report-tables").replaceChildren(element("div", "report-col", summary),
                                     element("div", "report-col", counters, times, priorities),
                                     element("div", "report-col", services, reasons, hours));
}

function reasonBoth(code) {
  // Not "Bukan darurat": that is the counter's word for a rejected claim, counted under its reason.
  if (code === "none") return ["Tanpa klaim darurat", "No emergency claimed"];
  const r = REASONS.get(code);
  return r ? [r.label, r.label_en] : [code, code];
}

function stepDay(button) {
  const step = Number(button.dataset.step);
  const day = step === 0 ? state.today : shiftDay(state.reportDate || state.today, step);
  if (!day || (state.today && day > state.today)) return;
  $("report-date").value = day;
  loadReport(day);
}

function onReportDate() {
  const day = $("report-date").value;
  if (/^\d{4}-\d{2}-\d{2}$/.test(day)) loadReport(day);
}

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

// --- kiosk devices ---

async function loadKiosks() {
  const answer = await api("GET", "/api/kiosks");
  if (answer.ok) $("kiosk-list").replaceChildren(...answer.body.kiosks.map(kioskCard));
}

function kioskCard(k) {
  const card = element("article", "kiosk-device");
  card.dataset.kiosk = k.id;
  card.dataset.devices = String(k.devices);
  const state = k.devices
    ? bi(`${k.devices} perangkat terdaftar · terakhir ${timeWords(k.last_enrolled)}`,
         `${k.devices} device(s) enrolled · last ${timeWords(k.last_enrolled)}`)
    : bi("Belum ada perangkat terdaftar", "No device enrolled");
  card.append(element("h3", "", k.name || k.id), element("p", "kiosk-state", ...state));
  const buttons = element("div", "kiosk-actions");
  for (const [action, id, en] of [["enroll-link", "Buat tautan pendaftaran", "Make an enrollment link"],
                                  ["enroll-browser", "Daftarkan browser ini", "Enroll this browser"],
                                  ["revoke-kiosk", "Cabut semua perangkat", "Revoke every device"]]) {
    const button = element("button", `act small${action === "revoke-kiosk" ? " danger" : ""}`, ...bi(id, en));
    button.type = "button";
    button.dataset.action = action;
    button.dataset.kiosk = k.id;
    if (action === "revoke-kiosk") button.disabled = !k.devices && !k.pending_links;
    buttons.append(button);
  }
  card.append(buttons, element("p", "note kiosk-note"));
  return card;
}

function kioskNote(button, kind, words) {
  const el = button.closest(".kiosk-device").querySelector(".kiosk-note");
  el.dataset.kind = kind;
  el.replaceChildren(...bi(...words));
  return el;
}

async function enrollLink(button) {
  const answer = await api("POST", `/api/kiosks/${button.dataset.kiosk}/enrollments`);
  if (!answer.ok) return kioskNote(button, "error", problem(answer));
  const el = kioskNote(button, "ok", ["Buka tautan ini sekali di browser kios (berlaku 24 jam):",
                                      "Open this link once in the kiosk's browser (valid 24 hours):"]);
  el.append(element("code", "enroll-url", answer.body.url));
}

async function enrollBrowser(button) {
  const answer = await api("POST", `/api/kiosks/${button.dataset.kiosk}/enroll-browser`);
  if (!answer.ok) return kioskNote(button, "error", problem(answer));
  await loadKiosks();
  kioskNote($("kiosk-list").querySelector(`[data-kiosk="${answer.body.kiosk}"] button`), "ok",
            [`Browser ini sekarang kios ${answer.body.kiosk}. Keluar (logout), lalu buka ${answer.body.page}.`,
             `This browser is now kiosk ${answer.body.kiosk}. Log out, then open ${answer.body.page}.`]);
}

async function revokeKiosk(button) {
  if (!window.confirm(`Cabut semua perangkat kios ${button.dataset.kiosk}? / Revoke every device of kiosk ${button.dataset.kiosk}?`)) return;
  const answer = await api("POST", `/api/kiosks/${button.dataset.kiosk}/revoke`);
  if (!answer.ok) return kioskNote(button, "error", problem(answer));
  await loadKiosks();
  kioskNote($("kiosk-list").querySelector(`[data-kiosk="${answer.body.kiosk}"] button`), "ok",
            [`${answer.body.revoked} perangkat dicabut.`, `${answer.body.revoked} device(s) revoked.`]);
}

// --- wiring ---

const ACTIONS = {
  logout, mode: askMode, "mode-confirm": confirmMode, "mode-cancel": cancelMode,
  "save-notice": saveNotice, retry: retryJob, reprint, day: stepDay,
  "enroll-link": enrollLink, "enroll-browser": enrollBrowser, "revoke-kiosk": revokeKiosk,
};

root.addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (!button || button.disabled) return;
  if (button.dataset.lang) return setLang(button.dataset.lang);
  ACTIONS[button.dataset.action]?.(button);
});
root.addEventListener("input", (event) => {
  const el = event.target.closest("[data-notice]");
  if (el) {
    updateNotice(el);
    el.querySelector("[data-part=state]").replaceChildren();
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && !$("mode-confirm").hidden) cancelMode();
});
$("login-form").addEventListener("submit", login);
$("reprint-form").addEventListener("submit", findTicket);
$("report-form").addEventListener("submit", (event) => event.preventDefault());
$("range-form").addEventListener("submit", (event) => event.preventDefault());
$("report-date").addEventListener("change", onReportDate);
$("range-from").addEventListener("change", updateRange);
$("range-until").addEventListener("change", updateRange);
setInterval(client.keepSession, SESSION_EVERY_MS);

boot();
