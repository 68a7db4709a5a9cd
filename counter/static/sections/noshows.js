/**
 * Today's no-shows of this counter's services (SPEC "The counter's day"): a visitor who
 * stepped out and missed the call goes back in the queue, after the next few waiting,
 * instead of taking a new number. The button is there while the server said the ticket may
 * go back and its time (requeue_until) has not run out since; then the list says so.
 */
import { $, element, say } from "../../js/words.js";
import { minutesWords } from "../clock.js";
import { serviceName } from "../page.js";

export function createNoShows({ api, note, now }) {
  let shownKey = null;  // the list as last drawn: redrawn only when it changed, so focus stays
  let readAt = 0;       // when the desk that listed them was read

  /** Show the desk's no-shows (newest first); null: nothing loaded yet. */
  function render(list, at) {
    const noShows = list || [];
    readAt = at;
    $("no-shows").hidden = noShows.length === 0;
    $("no-shows-count").textContent = String(noShows.length);
    const key = noShows.map((t) => `${t.id}:${t.requeueable}:${t.requeue_until}`).join(",");
    if (key !== shownKey) {
      shownKey = key;
      const focused = document.activeElement && document.activeElement.dataset.requeue;
      $("no-show-list").replaceChildren(...noShows.map(noShowItem));
      if (focused) $("no-show-list").querySelector(`[data-requeue="${focused}"]`)?.focus();
    }
    renderTimes();
  }

  /** How long ago each was marked, and whether it may still go back: every ten seconds. */
  function renderTimes() {
    const at = now();
    for (const item of $("no-show-list").children) {
      const ended = Date.parse(item.dataset.ended);
      say(item.querySelector(".ns-ago"), ...agoWords(at - ended));
      const until = Date.parse(item.dataset.until);
      const ranOut = readAt < until && at >= until;  // the server's word held until its deadline passed here
      const open = item.dataset.requeueable === "true" && !ranOut;
      item.querySelector(".ns-requeue").hidden = !open;
      item.querySelector(".ns-late").hidden = open;
    }
  }

  /** Put the no-show back in the queue; the note says how many are ahead of it now. */
  async function requeue(button) {
    const number = button.dataset.number;
    const answer = await api("POST", `/api/tickets/${button.dataset.requeue}/requeue`);
    if (answer.ok) return note.show("ok", ...backWords(number, answer.body.ticket.position));
    if (answer.status !== 401) note.refused(answer);
  }

  return { render, renderTimes, requeue, reset: () => { shownKey = null; } };
}

function noShowItem(ticket) {
  const item = element("li", "no-show");
  Object.assign(item.dataset, { ended: ticket.ended_at, until: ticket.requeue_until || "",
                                requeueable: String(Boolean(ticket.requeueable)) });
  const info = element("span", "ns-info");
  const service = element("span", "ns-service");
  say(service, ...serviceName(ticket.service));
  info.append(service, element("span", "ns-ago"));
  const button = element("button", "act ns-requeue");
  button.type = "button";
  Object.assign(button.dataset, { action: "requeue", requeue: ticket.id, number: ticket.number });
  say(button, "Antre lagi", "Requeue");
  button.append(element("span", "visually-hidden", ` ${ticket.number}`));  // which one, for a screen reader
  const late = element("span", "ns-late");
  say(late, "lewat batas waktu", "too late");
  item.append(element("span", "ns-number", ticket.number), info, button, late);
  return item;
}

function agoWords(ms) {
  if (ms < 60000) return ["baru saja", "just now"];
  const [id, en] = minutesWords(ms);
  return [`${id} lalu`, `${en} ago`];
}

/** position: how many wait ahead of it in its service (SPEC), 0 when it is next. */
function backWords(number, position) {
  if (!position) return [`${number} kembali ke antrean, dipanggil berikutnya.`,
                         `${number} is back in the queue, next to be called.`];
  return [`${number} kembali ke antrean, posisi ${position}: ${position} orang di depannya.`,
          `${number} is back in the queue, position ${position}: ${position} ahead of it.`];
}
