/**
 * The admission mode: what is in force and why, the configured windows, the history of
 * switches, and the switch itself, asked to be confirmed first.
 */
import { $, bi, element, say } from "../../js/words.js";
import { dayBoth, momentBoth } from "../format.js";
import { note, problem, root } from "../page.js";

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
    const { mode, windows, history } = admission;
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
    showWindows(windows, currentDay());
    showHistory(history);
  }

  /** What clearing the override leads to: today's window, else the configured default. */
  function modeAfterClear() {
    const today = currentDay();
    const window_ = admission.windows.find((w) => today && w.from <= today && today <= w.until);
    return window_ ? [window_.mode, window_.reference] : [admission.default, null];
  }

  function ask(button) {
    const wanted = button.dataset.mode;
    pending = wanted;
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
    const now = MODE_NAMES[answer.body.mode];
    note("mode-note", "ok", [`Mode sekarang: ${now[0]}. Kios dan layar sudah diberi tahu.`,
                             `The mode is now ${now[1]}. Kiosks and displays have been told.`]);
    await load();
    $("mode-name").focus({ preventScroll: true });
  }

  return { load, ask, confirm, cancel };
}

function modeReason(mode, history, configured) {
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
  return [`Mode bawaan dari konfigurasi ([admission] mode = "${configured}"); tidak ada jadwal atau override yang berlaku hari ini.`,
          `The configured default ([admission] mode = "${configured}"); no window or override applies today.`];
}

/** The configured windows, today's marked. */
function showWindows(windows, today) {
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
