/**
 * Pauses (SPEC "The counter's day"): a break, prayers, a meeting. Staff pick one of the four
 * reasons in a small dialog (keys 1–4); the desk then says since when, calls nobody, and
 * offers one big button to resume. The desk's `paused` (GET /api/counters/<id>) is the
 * truth, refreshed on the live `paused`/`resumed` events like every other change. A pause
 * is refused while a ticket is in hand: the server's sentence says why.
 */
import { $, say } from "../../js/words.js";
import { minutesWords } from "../clock.js";
import { counterName, officeTime, root } from "../page.js";

/** desk: the desk section (its paused state); counterId(): the counter the console is at. */
export function createPause({ api, note, desk, counterId }) {
  const dialog = $("pause-dialog");

  function open() {
    if (dialog.open) return;
    dialog.showModal();
    dialog.querySelector(".pause-option")?.focus();
  }

  function close() {
    if (dialog.open) dialog.close();
  }

  async function pause(button) {
    close();
    const answer = await send("pause", { reason: button.dataset.reason });
    if (!answer) return;
    const [id, en] = reasonWords(button.dataset.reason);
    const here = counterName(counterId());
    note.show("ok", `${here} dijeda: ${id}.`, `${here} paused: ${en}.`);
  }

  async function resume() {
    if (!(await send("resume"))) return;
    const here = counterName(counterId());
    note.show("ok", `${here} melayani lagi.`, `${here} is serving again.`);
  }

  /** Send a pause or a resume; its answer is the desk's pause until the next refresh. */
  async function send(action, body) {
    desk.bump();  // a desk refresh already on its way predates this change
    const answer = await api("POST", `/api/counters/${counterId()}/${action}`, body);
    if (answer.ok) {
      desk.setPaused(answer.body.paused);
      return answer;
    }
    if (answer.status !== 401) note.refused(answer);
    return null;
  }

  return { open, close, pause, resume, isOpen: () => dialog.open };
}

/** A reason's words in both languages, as the dialog's options say them. */
function reasonWords(reason) {
  const option = root.querySelector(`.pause-option[data-reason="${reason}"]`);
  if (!option) return [reason, reason];
  return ["id", "en"].map((lang) => option.querySelector(`[data-l="${lang}"]`).textContent);
}

/** Show a paused desk: why, since when (office time) and for how long, and what the hall reads. */
export function renderPaused(paused, now) {
  const [id, en] = reasonWords(paused.reason);
  const [atId, atEn] = officeTime(paused.since);
  const [forId, forEn] = minutesWords(now - Date.parse(paused.since));
  say($("paused-title"), `Loket dijeda: ${id}`, `Counter paused: ${en}`);
  say($("paused-since"), `sejak ${atId} (${forId})`, `since ${atEn} (${forEn})`);
  say($("paused-hall"), `Layar ruang tunggu menampilkan “${paused.words}”. Tidak ada yang dipanggil ke loket ini.`,
      `The hall screen shows “${paused.words}”. Nobody is called to this counter.`);
}
