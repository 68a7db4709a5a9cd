/**
 * The counter's side panel: the tickets waiting for it (tap one to call it out of turn),
 * how long each has waited, the next one, and today's tally at this counter.
 */
import { $, element, say } from "../../js/words.js";
import { clockText, waitWords } from "../clock.js";
import { renderMarks } from "../marks.js";
import { serviceName } from "../page.js";

/** now(): the server's time, which the waiting times count from. */
export function createQueue({ now }) {
  let shownKey = null;  // the list as last drawn: redrawn only when it changed, so focus stays

  /** Show the desk's queue and tally; null desk: nothing loaded yet. paused: the counter is paused. */
  function render(desk, ticket, { paused = false } = {}) {
    renderList(desk, ticket, paused);
    renderToday(desk);
  }

  function renderList(desk, ticket, paused) {
    const waiting = desk ? desk.waiting : [];
    $("waiting-count").textContent = desk ? String(waiting.length) : "";
    $("queue-empty").hidden = !desk || waiting.length > 0;
    say($("queue-hint"), ...(ticket
      ? ["Selesaikan tiket saat ini untuk memanggil dari daftar.", "Finish the current ticket to call from the list."]
      : paused ? ["Lanjutkan melayani untuk memanggil dari daftar.", "Resume serving to call from the list."]
        : ["Ketuk tiket untuk memanggilnya langsung.", "Tap a ticket to call it directly."]));
    const key = waiting.map((w) => `${w.id}:${w.service}:${w.priority}:${w.emergency}`).join(",");
    if (key !== shownKey) {
      shownKey = key;
      const focused = document.activeElement && document.activeElement.dataset.ticket;
      $("waiting").replaceChildren(...waiting.map(waitingItem));
      if (focused) $("waiting").querySelector(`[data-ticket="${focused}"]`)?.focus();
    }
    renderWaitTimes();
    renderNext(waiting[0]);
  }

  function renderWaitTimes() {
    const at = now();
    for (const el of $("waiting").querySelectorAll(".w-time")) {
      say(el, ...waitWords(at - Date.parse(el.dataset.since)));
    }
  }

  return { render, renderWaitTimes, reset: () => { shownKey = null; } };
}

function renderNext(first) {
  $("idle-next").hidden = !first;
  if (!first) return;
  const [id, en] = serviceName(first.service);
  say($("idle-next"), `Berikutnya: ${first.number} · ${id}`, `Next: ${first.number} · ${en}`);
}

function waitingItem(ticket) {
  const button = element("button", "wait-item");
  Object.assign(button.dataset, { action: "call", ticket: ticket.id, number: ticket.number });
  button.type = "button";
  button.dataset.priority = String(Boolean(ticket.priority));
  button.dataset.emergency = ticket.emergency || "";
  button.dataset.booked = String(Boolean(ticket.booked));
  const info = element("span", "w-info");
  const service = element("span", "w-service");
  say(service, ...serviceName(ticket.service));
  const marks = element("span", "w-marks");
  renderMarks(marks, ticket);
  info.append(service, marks);
  const time = element("span", "w-time");
  time.dataset.since = ticket.issued_at;
  button.append(element("span", "w-number", ticket.number), info, time);
  const li = element("li");
  li.append(button);
  return li;
}

function renderToday(desk) {
  const today = desk ? desk.today : null;
  $("today-served").textContent = today ? String(today.served) : "–";
  $("today-no-show").textContent = today ? String(today.no_show) : "–";
  const mean = today && today.mean_service_seconds;
  $("today-mean").textContent = mean === null || mean === undefined ? "–" : clockText(mean * 1000);
}
