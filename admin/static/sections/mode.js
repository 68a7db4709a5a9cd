/**
 * The admission mode: what is in force and why, the history of switches and calendar
 * changes, and the switch itself, asked to be confirmed first. The windows themselves are
 * listed and edited in the calendar card (calendar.js).
 */
import { $, bi, element, say } from "../../js/words.js";
import { momentBoth, MODE_WORDS, spanBoth, spanShortBoth, windowDoesBoth } from "../format.js";
import { note, problem, root } from "../page.js";

// Of several windows containing a day, the most restrictive sets its mode (queueing/calendar.py).
const RESTRICTIVENESS = { closed: 0, emergency_only: 1, normal: 2 };
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

/** currentDay(): today's service day as far as the page knows it, or undefined before it knows. */
export function createMode({ api, currentDay }) {
  let admission = null;
  let pending = null;  // the mode asked for, waiting for its confirmation

  async function load() {
    const answer = await api("GET", "/api/admission");
    if (!answer.ok) return note("mode-note", "error", problem(answer));
    admission = answer.body;
    showAdmission();
  }

  function showAdmission() {
    const { mode, history } = admission;
    $("mode-now").dataset.mode = mode.mode;
    $("mode-now").dataset.source = mode.source;
    say($("mode-name"), ...MODE_LONG[mode.mode]);
    say($("mode-why"), ...modeReason(mode, history, admission.default));
    for (const button of root.querySelectorAll(".mode-button")) {
      const current = button.dataset.mode === mode.mode;
      button.setAttribute("aria-pressed", String(current));
      button.disabled = current && mode.source === "override";  // already set: nothing would change
    }
    root.querySelector(".clear-button").disabled = mode.source !== "override";
    showHistory(history);
  }

  /** What clearing the override leads to: today's most restrictive window that sets a mode, else the configured default. */
  function modeAfterClear() {
    const today = currentDay();
    const window_ = admission.windows
      .filter((w) => w.mode && today && w.from <= today && today <= w.until)
      .sort((a, b) => RESTRICTIVENESS[a.mode] - RESTRICTIVENESS[b.mode])[0];
    return window_ ? [window_.mode, window_.reference] : [admission.default, null];
  }

  function ask(button) {
    const wanted = button.dataset.mode;
    pending = wanted;
    $("mode-confirm").dataset.mode = wanted;
    if (wanted === "clear") {
      const [next, reference] = modeAfterClear();
      const basis = reference ? [` (${reference})`, ` (${reference})`] : [" (bawaan konfigurasi)", " (the configured default)"];
      say($("confirm-question"), `Hapus override? Mode menjadi ${MODE_WORDS[next][0]}${basis[0]}.`,
          `Clear the override? The mode becomes ${MODE_WORDS[next][1]}${basis[1]}.`);
      say($("confirm-effect"), ...MODE_EFFECT[next]);
    } else {
      say($("confirm-question"), `Ubah mode menjadi ${MODE_WORDS[wanted][0]} mulai sekarang?`,
          `Switch to ${MODE_WORDS[wanted][1]} from now on?`);
      say($("confirm-effect"), ...MODE_EFFECT[wanted]);
    }
    note("mode-note", "", null);
    $("mode-confirm").hidden = false;
    $("mode-confirm").scrollIntoView({ block: "nearest" });
    $("mode-confirm-button").focus({ preventScroll: true });
  }

  function cancel() {
    pending = null;
    $("mode-confirm").hidden = true;
  }

  async function confirm(button) {
    const wanted = pending;
    if (!wanted) return;
    button.disabled = true;
    const answer = await api("POST", "/api/admission/mode", { mode: wanted === "clear" ? null : wanted });
    button.disabled = false;
    if (!answer.ok) return note("mode-note", "error", problem(answer));
    cancel();
    const now = MODE_WORDS[answer.body.mode];
    note("mode-note", "ok", [`Mode sekarang: ${now[0]}. Kios dan layar sudah diberi tahu.`,
                             `The mode is now ${now[1]}. Kiosks and displays have been told.`]);
    await load();
    $("mode-name").focus({ preventScroll: true });
  }

  return { load, ask, confirm, cancel };
}

function modeReason(mode, history, configured) {
  if (mode.source === "window") {
    const [daysId, daysEn] = spanBoth(mode);
    const ref = mode.reference || "—";
    const [whoId, whoEn] = mode.window_source === "office" ? ["ditambahkan kantor", "added by the office"]
      : ["dari berkas konfigurasi", "from the configuration file"];
    return [`Sesuai kalender pelayanan (${whoId}): ${ref}, ${daysId}.`,
            `By the service calendar (${whoEn}): ${ref}, ${daysEn}.`];
  }
  if (mode.source === "override") {
    const last = history[0] && history[0].mode === mode.mode ? history[0] : null;  // the switch in force
    const [atId, atEn] = last ? momentBoth(last.at) : ["", ""];
    const by = last ? last.by : "admin";
    return [`Diatur oleh admin ${by}, ${atId}. Berlaku sampai override dihapus, juga pada hari-hari berikutnya.`,
            `Set by admin ${by}, ${atEn}. In force until the override is cleared, on later days too.`];
  }
  return [`Mode bawaan dari konfigurasi ([admission] mode = "${configured}"); tidak ada jadwal atau override yang berlaku hari ini.`,
          `The configured default ([admission] mode = "${configured}"); no window or override applies today.`];
}

function showHistory(history) {
  const items = history.map((h) => (h.window ? windowChange(h) : modeSwitch(h)));
  if (!items.length) items.push(element("li", "empty", ...bi("Belum pernah diubah.", "Never switched.")));
  $("mode-history").replaceChildren(...items);
}

function modeSwitch(h) {
  const what = h.mode ? MODE_WORDS[h.mode] : ["Override dihapus", "Override cleared"];
  return element("li", "", element("span", "h-mode", ...bi(...what)), element("span", "h-who", h.by || "—"),
                 element("span", "h-when", ...bi(...momentBoth(h.at))));
}

/** "kepala menambah Tutup 24 Des 2026: Cuti Bersama Hari Raya Natal". */
function windowChange(h) {
  const w = h.window;
  const added = w.action === "added";
  const [doesId, doesEn] = windowDoesBoth(w);
  const [daysId, daysEn] = spanShortBoth(w);
  const by = h.by || "—";
  const li = element("li", `h-window h-${added ? "added" : "deleted"}`);
  li.append(element("span", "h-what", ...bi(
    `${by} ${added ? "menambah" : "menghapus"} ${doesId} ${daysId}: ${w.reference}`,
    `${by} ${added ? "added" : "deleted"} ${doesEn} ${daysEn}: ${w.reference}`)),
            element("span", "h-when", ...bi(...momentBoth(h.at))));
  return li;
}
