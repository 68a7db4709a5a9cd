/**
 * What the touchscreen kiosk (kiosk.js) and a visitor's phone joining from the hall's code
 * (join.js) share: sending a visit, saying its outcome and the mode in force in both
 * languages, and the screens of kiosk/_visit.html up to the visit's answer. The server words
 * its answers in Indonesian; the English is made here from the answer's dates and codes.
 *
 * The screens' functions take the page: what differs between the kiosk and the phone.
 *
 *   const page = { root, state, show, submit, updateButtons };
 *   // state: { screen, mode, calendar, priority, visit, busy, ... }; show(name, focusId);
 *   // submit() sends state.visit; updateButtons() enables what may be pressed now
 *   const ACTIONS = { ...visitActions(page), retry: submit };
 *   showSnapshot(page, snapshot);
 */
import { $, say } from "../js/words.js";

const REQUEST_TIMEOUT_MS = 10000;

const MODE_WORDS = {
  normal: [["Pelayanan tatap muka dibuka", "Walk-in service is open"],
           ["Pilih layanan untuk mengambil nomor antrian.", "Choose a service to get a queue number."]],
  emergency_only: [["Pelayanan tatap muka hanya untuk keperluan darurat", "Walk-in service is for emergencies only"],
                   ["Keperluan lain dapat diurus secara online.", "Other matters can be handled online."]],
  closed: [["Pelayanan tatap muka sedang ditutup", "Walk-in service is closed"],
           ["Pilih layanan untuk melihat keterangan.", "Choose a service for more information."]],
};

const MESSAGE_TITLES = {
  postponed: ["Layanan ini sedang ditunda", "This service is postponed"],
  closed: ["Pelayanan tatap muka ditutup", "Walk-in service is closed"],
  full: ["Kuota antrean hari ini sudah habis", "Today's queue is full"],
};

// The server words these steps in Indonesian (queueing/model.py ONLINE_STEPS).
const ONLINE_STEPS_EN = [
  "Open the online service address on a phone or computer.",
  "Fill in the application and upload the required documents.",
  "Print the issued document yourself on plain paper: it is valid with its QR code/barcode.",
];

/** POST JSON; {ok, status, body}, status 0 when the server could not be reached or did not answer in time. */
export async function post(path, body) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
  try {
    const response = await fetch(path, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body), signal: abort.signal,
    });
    const data = await response.json().catch(() => ({}));
    return { ok: response.ok, status: response.status, body: data };
  } catch {
    return { ok: false, status: 0, body: {} };  // unreachable, or no answer in time
  } finally {
    clearTimeout(timer);
  }
}

/** A visit's request_id: made once per visit, sent again with every retry of it. */
export function newRequestId() {
  // randomUUID needs a secure context; a kiosk or a phone on plain http over the LAN has none.
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** "Senin, 28 Desember 2026"; short: "28 Des 2026" (a badge on a service button). */
export function dateWords(iso, lang, short = false) {
  const [y, m, d] = iso.split("-").map(Number);
  const parts = short ? { day: "numeric", month: "short", year: "numeric" }
    : { weekday: "long", day: "numeric", month: "long", year: "numeric" };
  return new Intl.DateTimeFormat(lang === "id" ? "id-ID" : "en-GB", parts).format(new Date(y, m - 1, d));
}

/** "07:30" as the office writes a time: "07.30". */
function clockWords(hhmm) {
  return hhmm.replace(":", ".");
}

/** The mode in force as two lines, each [Indonesian, English]: what holds, and what to do. */
export function modeWords(info) {
  const [main, sub] = MODE_WORDS[info.mode] || MODE_WORDS.normal;
  const until = info.until && info.mode !== "normal"
    ? [` sampai dengan ${dateWords(info.until, "id")}`, ` until ${dateWords(info.until, "en")}`] : ["", ""];
  const basis = info.reference ? [` Dasar: ${info.reference}.`, ` Under ${info.reference}.`] : ["", ""];
  return [[`${main[0]}${until[0]}.`, `${main[1]}${until[1]}.`], [sub[0] + basis[0], sub[1] + basis[1]]];
}

/** When walk-ins are admitted again, in English (the server says it in Indonesian). */
export function reopensEn(reopens, today) {
  if (!reopens) return "Walk-in service is closed until further notice.";
  const at = clockWords(reopens.time);
  if (reopens.date === today) return `Service opens today at ${at}.`;
  return `Service reopens ${dateWords(reopens.date, "en")} at ${at}.`;
}

/** The title of a closed start screen: not yet open today, or closed. */
export function closedTitle(calendar) {
  const opensToday = Boolean(calendar.reopens) && calendar.reopens.date === calendar.day;
  return opensToday ? ["Pelayanan tatap muka belum dibuka", "Walk-in service has not opened yet"]
    : ["Pelayanan tatap muka ditutup", "Walk-in service is closed"];
}

/** The calendar's sentence on why nobody is admitted now and when that changes, in English. */
export function closedEn(calendar, info) {
  return `${closedWhyEn(calendar, info)}${reopensEn(calendar.reopens, calendar.day)}`;
}

/** Why nobody is admitted, as the server's sentence says it ("" before opening). */
function closedWhyEn(calendar, info) {
  if (!calendar.reopens || calendar.reopens.date === calendar.day) return "";
  if (info.mode === "closed" && info.source === "window") {
    return info.reference ? `The office is closed: ${info.reference}. ` : "The office is closed. ";
  }
  if (info.mode === "closed") return "Walk-in service is closed. ";
  if (!calendar.hours) return "The office is closed today. ";
  if (info.mode === "normal") return "Service has closed for today. ";
  return "";
}

/** A postponed service's badge, with its last day when a window gives one. */
export function postponedWords(postponed) {
  if (!postponed.until) return ["Sedang ditunda", "Postponed for now"];
  // a badge that wraps keeps its date on one line
  const [id, en] = ["id", "en"].map((lang) => dateWords(postponed.until, lang, true).replaceAll(" ", "\u00a0"));
  return [`Ditunda sampai ${id}`, `Postponed until ${en}`];
}

/** The English of a postponed, closed or full answer's message, or undefined where only the Indonesian can stand. */
export function messageEn(answer, mode) {
  // A service's own notice (postponed by its flag) is shown in Indonesian only; a window's
  // postponement is said in English from its dates.
  if (answer.outcome === "full") return "Today's limit of queue numbers has been reached. Please come back on the next working day.";
  if (answer.outcome === "postponed") return postponedEn(answer);
  if (answer.outcome !== "closed") return undefined;
  const emergency = mode === "emergency_only" ? "Walk-in service is for emergencies only at present. " : "";
  if (!("reopens" in answer)) return `${emergency}Please come back on the next working day.`;
  return emergency + reopensEn(answer.reopens, answer.resumes_on ? null : answer.reopens?.date);
}

function postponedEn(answer) {
  if (!answer.until) return undefined;
  const resumes = answer.resumes_on ? ` It resumes on ${dateWords(answer.resumes_on, "en")}.` : "";
  return `This service is postponed until ${dateWords(answer.until, "en")}.${resumes}`;
}

/** The online answer's steps, each [Indonesian, English] (no English for steps the office changed). */
export function stepsWords(steps) {
  return steps.map((step, i) => [step, steps.length === ONLINE_STEPS_EN.length ? ONLINE_STEPS_EN[i] : undefined]);
}

/** Put a web address into el; a long one may wrap, but only after a dot or a slash, never inside a word. */
export function showUrl(el, url) {
  el.replaceChildren(...url.split(/(?<=[./])/).flatMap((piece) => [piece, document.createElement("wbr")]));
}

/** An address as people write it: no scheme, no trailing slash. */
export function shortUrl(url) {
  return url.replace(/^https?:\/\//, "").replace(/\/$/, "");
}

/** The title of a postponed, closed or full answer, [Indonesian, English]. */
export function messageTitle(outcome) {
  return MESSAGE_TITLES[outcome] || ["Informasi", "Information"];
}

// --- the screens both pages show, up to the visit's answer ---

/**
 * Show the screen `name`, one of `screens`, and hide the others. For settleMs its buttons do not
 * work: the second tap of a double tap must not land on the new screen.
 */
export function showScreen(page, name, screens, settleMs) {
  for (const screen of screens) $(screen).hidden = screen !== name;
  page.state.screen = name;
  page.state.settleUntil = performance.now() + settleMs;
  page.updateButtons();
  setTimeout(page.updateButtons, settleMs + 20);
}

/** A service's name, [Indonesian, English], as its button on the start screen says it. */
export function serviceName(page, code) {
  const button = page.root.querySelector(`[data-service="${CSS.escape(code)}"]`);
  return button ? [button.dataset.name, button.dataset.nameEn] : [code, code];
}

/** "Layanan: …", the service a visit is for. */
export function serviceWords(page, code) {
  const [id, en] = serviceName(page, code);
  return [`Layanan: ${id}`, `Service: ${en}`];
}

/** The start screen's heading: the services', or the closed notice's while nobody is admitted. */
export function startHeading(state) {
  return state.calendar.admitting ? "start-title" : "closed-title";
}

/** Back to the start screen: the next pick starts a new visit. */
function back(page) {
  page.state.visit = null;
  page.show("start", startHeading(page.state));
}

/** While a visit is on its way no button works, and after a moment a note says to wait. */
export function setBusy(page, busy) {
  page.state.busy = busy;
  page.root.classList.toggle("is-busy", busy);
  $("main").setAttribute("aria-busy", String(busy));
  page.updateButtons();
}

/** The mode and the calendar of a state snapshot (GET /api/state, or the live channel's). */
export function showSnapshot(page, snapshot) {
  showMode(page, snapshot.mode_info || { mode: snapshot.mode });
  if (snapshot.calendar) showCalendar(page, { ...snapshot.calendar, reopens: snapshot.reopens, day: snapshot.day });
}

export function showMode(page, info) {
  page.state.mode = info;
  $("mode").dataset.mode = info.mode;
  const [main, sub] = modeWords(info);
  say($("mode-main"), ...main);
  say($("mode-sub"), ...sub);
}

/**
 * Open or closed now (issue 18): while nobody is admitted the start screen says when service
 * reopens instead of offering services; postponed services are marked, by their flag or a window.
 * `calendar` is the snapshot's, with its `reopens` and `day`.
 */
export function showCalendar(page, calendar) {
  page.state.calendar = calendar;
  $("start").dataset.admitting = String(calendar.admitting);
  $("start").setAttribute("aria-labelledby", startHeading(page.state));
  if (!calendar.admitting) {
    say($("closed-title"), ...closedTitle(calendar));
    say($("closed-message"), calendar.message, closedEn(calendar, page.state.mode));
  }
  showPostponed(page, calendar.postponed || []);
}

function showPostponed(page, postponed) {
  const byService = new Map(postponed.map((p) => [p.service, p]));
  for (const button of page.root.querySelectorAll("[data-action=service]")) {
    const found = byService.get(button.dataset.service);
    button.dataset.postponed = String(Boolean(found));
    button.classList.toggle("is-postponed", Boolean(found));
    const badge = button.querySelector(".badge");
    badge.hidden = !found;
    if (found) say(badge, ...postponedWords(found));
  }
}

/** The start screen's and the emergency question's buttons, by their data-action. */
export function visitActions(page) {
  return {
    priority: (button) => togglePriority(page, button),
    service: (button) => chooseService(page, button),
    reason: (button) => chooseReason(page, button),
    back: () => back(page),
  };
}

function togglePriority(page, button) {
  page.state.priority = page.state.priority === button.dataset.kind ? null : button.dataset.kind;
  showPriority(page);
}

/** Every set of priority choices shows the one the visitor made (the kiosk has two sets). */
export function showPriority(page) {
  for (const button of page.root.querySelectorAll("[data-action=priority]")) {
    button.setAttribute("aria-pressed", String(button.dataset.kind === page.state.priority));
  }
}

/** A new visit, sent at once unless only emergencies are admitted: then the question comes first. */
function chooseService(page, button) {
  page.state.visit = { request_id: newRequestId(), service: button.dataset.service, priority: page.state.priority };
  const askEmergency = page.state.mode.mode === "emergency_only" && button.dataset.postponed !== "true";
  if (!askEmergency) return page.submit();
  say($("question-service"), ...serviceWords(page, button.dataset.service));
  say($("not-emergency-hint"), ...(button.dataset.online === "true"
    ? ["Urus secara online, tanpa antre", "Apply online, no queue"]
    : ["Layanan ini belum dapat diurus online", "This service cannot be done online"]));
  page.show("question", "question-title");
}

function chooseReason(page, button) {
  page.state.visit.reason = button.dataset.reason || null;
  page.submit();
}

// --- the answer's words, as both pages say them ---

/** The server's sentence where it refused a request (a 4xx with a message); false otherwise. */
export function refusal(answer) {
  return answer.status >= 400 && answer.status < 500 && answer.body.message;
}

/** Fill the online screen: the server's sentence, the address, the steps, its QR code; the service's English name. */
export function fillOnline(page, answer) {
  const [, en] = serviceName(page, page.state.visit.service);
  say($("online-message"), answer.message, `${en} can be done online.`);
  showUrl($("online-url"), shortUrl(answer.url));
  $("online-steps").replaceChildren(...stepsWords(answer.steps).map(([id, stepEn]) => {
    const li = document.createElement("li");
    say(li, id, stepEn);
    return li;
  }));
  $("online-qr").src = answer.qr;
  return en;
}

/**
 * Fill the failure screen: the server's refusal in its words, or that it could not be reached.
 * A refusal is final, but for "too many tries" (429); anything else may be tried again with the
 * visit's request_id, which can never make a second ticket. The refusal, if it was one.
 */
export function fillFailure(answer, unreachable) {
  const refused = refusal(answer);
  say($("failure-title"), "Nomor antrian belum dapat diberikan", "No queue number could be given");
  if (refused) say($("failure-text"), answer.body.message);
  else say($("failure-text"), ...unreachable);
  $("retry-button").hidden = Boolean(refused) && answer.status !== 429;
  return refused;
}
