/**
 * The notices shown on the displays and kiosks: the running text and one per service.
 * Each is edited in its own [data-notice] box; a text being edited here is not
 * overwritten when someone else's change arrives over the live channel.
 */
import { say } from "../../js/words.js";
import { momentBoth } from "../format.js";
import { problem, root } from "../page.js";

export function createNotices({ api, http }) {
  let stored = null;  // the notices as the server last sent them

  async function load() {
    const answer = await http("GET", "/api/notices");
    if (answer.ok) show(answer.body, true);
  }

  /** Show the stored notices; a text being edited here is left alone unless `all`. */
  function show(notices, all) {
    stored = notices;
    for (const el of root.querySelectorAll("[data-notice]")) {
      const notice = noticeOf(notices, el.dataset.notice);
      if (!notice) continue;
      const area = el.querySelector("textarea");
      if (all || el.dataset.dirty !== "true") {
        area.value = notice.text;
        el.dataset.dirty = "false";
      }
      el.dataset.saved = notice.updated_at ? "true" : "false";
      showMeta(el, notice);
      update(el);
    }
  }

  /** After typing: mark the box changed or not, and count its characters. */
  function update(el) {
    const area = el.querySelector("textarea");
    const saved = stored ? noticeOf(stored, el.dataset.notice) : null;
    const dirty = saved !== null && area.value.trim() !== (saved?.text ?? "");
    el.dataset.dirty = String(dirty);
    el.querySelector("[data-action=save-notice]").disabled = !dirty;
    el.querySelector("[data-part=count]").textContent = `${area.value.length}/500`;
  }

  function edited(el) {
    update(el);
    el.querySelector("[data-part=state]").replaceChildren();
  }

  async function save(button) {
    const el = button.closest("[data-notice]");
    const key = el.dataset.notice;
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
    show(answer.body, false);
    el.querySelector("textarea").value = noticeOf(answer.body, key).text;
    update(el);
    stateEl.dataset.kind = "ok";
    say(stateEl, "Tersimpan. Layar dan kios sudah menampilkannya.", "Saved. Displays and kiosks show it now.");
  }

  return { load, show, edited, save };
}

/** The notice a box edits: "running", or "service:<code>". */
function noticeOf(notices, key) {
  return key === "running" ? notices.running : notices.services[key.slice("service:".length)];
}

function showMeta(el, notice) {
  const meta = el.querySelector("[data-part=meta]");
  if (!notice.updated_at) {
    return say(meta, "Teks bawaan dari konfigurasi; belum pernah diubah.", "The configured text; never changed.");
  }
  const [atId, atEn] = momentBoth(notice.updated_at);
  say(meta, `Diubah oleh ${notice.updated_by}, ${atId}`, `Changed by ${notice.updated_by}, ${atEn}`);
}
