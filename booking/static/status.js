/**
 * One booking's page (/b/<token>): cancelling it after a confirmation, and catching up with
 * what happened meanwhile (a check-in at the kiosk, a missed slot) when the visitor comes back
 * to the page. The words of every state are in the markup; booking.css shows those of the
 * root's data-status, so a change of state is one attribute, or a reload when the server has
 * more to show (a ticket's number).
 */
import { $, say } from "../js/words.js";
import { languageToggle } from "./lang.js";

const root = $("status-page");
const TOKEN = encodeURIComponent(root.dataset.token);
const UNREACHABLE = ["Tidak dapat terhubung ke server. Periksa koneksi Anda lalu coba lagi.",
                     "Cannot reach the server. Check your connection and try again."];

function notice(words) {
  $("notice").hidden = !words;
  if (words) say($("notice"), ...words);
}

function ask() {
  $("cancel-button").hidden = true;
  $("cancel-confirm").hidden = false;
  $("cancel-title").focus();
}

function keep() {
  $("cancel-confirm").hidden = true;
  $("cancel-button").hidden = false;
  $("cancel-button").focus();
}

async function cancel() {
  $("cancel-yes").disabled = true;
  const answer = await send(`/api/bookings/${TOKEN}/cancel`, "POST");
  $("cancel-yes").disabled = false;
  if (answer.ok) {
    root.dataset.status = answer.body.booking.status;
    $("state-title").focus();
  } else if (answer.status === 0) {
    notice(UNREACHABLE);
  } else {
    notice([answer.body.message || UNREACHABLE[0]]);
    await refresh();  // e.g. checked in meanwhile: show what it is now
  }
}

/** Ask for the booking again; reload the page when its state changed (its new words may need the server). */
async function refresh() {
  const answer = await send(`/api/bookings/${TOKEN}`, "GET");
  if (answer.ok && answer.body.booking.status !== root.dataset.status) location.reload();
}

async function send(path, method) {
  try {
    const response = await fetch(path, { method, cache: "no-store" });
    return { ok: response.ok, status: response.status, body: await response.json().catch(() => ({})) };
  } catch {
    return { ok: false, status: 0, body: {} };
  }
}

const ACTIONS = { ask, keep, cancel };

root.addEventListener("click", (event) => {
  const button = event.target.closest("[data-action]");
  if (button && !button.disabled) ACTIONS[button.dataset.action]();
});
// A phone back from a pocket may have been checked in at the kiosk meanwhile.
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") refresh();
});

languageToggle(root);
