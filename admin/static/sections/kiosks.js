/**
 * Kiosk devices: how many browsers each kiosk has enrolled, a one-time enrollment link,
 * enrolling this very browser, and revoking every device of a kiosk.
 */
import { $, bi, element } from "../../js/words.js";
import { timeWords } from "../format.js";
import { problem } from "../page.js";

const ACTIONS = [["enroll-link", "Buat tautan pendaftaran", "Make an enrollment link"],
                 ["enroll-browser", "Daftarkan browser ini", "Enroll this browser"],
                 ["revoke-kiosk", "Cabut semua perangkat", "Revoke every device"]];

export function createKiosks({ api }) {
  async function load() {
    const answer = await api("GET", "/api/kiosks");
    if (answer.ok) $("kiosk-list").replaceChildren(...answer.body.kiosks.map(kioskCard));
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
    await load();
    kioskNote(firstButtonOf(answer.body.kiosk), "ok",
              [`Browser ini sekarang kios ${answer.body.kiosk}. Keluar (logout), lalu buka ${answer.body.page}.`,
               `This browser is now kiosk ${answer.body.kiosk}. Log out, then open ${answer.body.page}.`]);
  }

  async function revoke(button) {
    if (!window.confirm(`Cabut semua perangkat kios ${button.dataset.kiosk}? / Revoke every device of kiosk ${button.dataset.kiosk}?`)) return;
    const answer = await api("POST", `/api/kiosks/${button.dataset.kiosk}/revoke`);
    if (!answer.ok) return kioskNote(button, "error", problem(answer));
    await load();
    kioskNote(firstButtonOf(answer.body.kiosk), "ok",
              [`${answer.body.revoked} perangkat dicabut.`, `${answer.body.revoked} device(s) revoked.`]);
  }

  return { load, enrollLink, enrollBrowser, revoke };
}

function kioskCard(k) {
  const card = element("article", "kiosk-device");
  card.dataset.kiosk = k.id;
  card.dataset.devices = String(k.devices);
  const devices = k.devices
    ? bi(`${k.devices} perangkat terdaftar · terakhir ${timeWords(k.last_enrolled)}`,
         `${k.devices} device(s) enrolled · last ${timeWords(k.last_enrolled)}`)
    : bi("Belum ada perangkat terdaftar", "No device enrolled");
  card.append(element("h3", "", k.name || k.id), element("p", "kiosk-state", ...devices));
  const buttons = element("div", "kiosk-actions");
  for (const [action, id, en] of ACTIONS) {
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

/** A kiosk's card, redrawn: its first button, to put the note under. */
function firstButtonOf(kiosk) {
  return $("kiosk-list").querySelector(`[data-kiosk="${kiosk}"] button`);
}

function kioskNote(button, kind, words) {
  const el = button.closest(".kiosk-device").querySelector(".kiosk-note");
  el.dataset.kind = kind;
  el.replaceChildren(...bi(...words));
  return el;
}
