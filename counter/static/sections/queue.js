/**
 * The counter's side panel: the tickets waiting for it (tap one to call it out of turn),
 * how long each has waited and whether past its service's target_wait, the next one, and
 * today's tally at this counter.
 */
import { $, element, say } from "../../js/words.js";
import { clockText, serverShift, waitWords } from "../clock.js";
import { renderMarks } from "../marks.js";
import { serviceName, targetWait } from "../page.js";

/** now(): the server's time, which the waiting times count from. */
export function createQueue({ now }) {
  let shownKey = null;  // the list as last drawn: redrawn only when it changed, so focus stays

  /** Show the desk's queue and tally; null desk: nothing loaded yet. readAt: when it was read. */
  function render(desk, ticket, { readAt = 0, paused = false } = {}) {
    renderList(desk, ticket, readAt, paused);
    renderToday(desk);
  }

  function renderList(desk, ticket, readAt, paused) {
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
      $("waiting").replaceChildren(...waiting.map((w) => waitingItem(w, readAt)));
      if (focused) $("waiting").querySelector(`[data-ticket="${focused}"]`)?.focus();
    }
    renderWaitTimes();
    renderNext(waiting[0]);
  }

  /** How long each has waited, and which wait past their service's target: redrawn every ten seconds. */
  function renderWaitTimes() {
    const at = now();
    for (const item of $("waiting").querySelectorAll(".wait-item")) {
      say(item.querySelector(".w-time"), ...waitWords(at - Number(item.dataset.since)));
      const target = targetWait(item.dataset.service);
      const over = Boolean(target) && at - Number(item.dataset.queued) > target * 60000;  // as the server counts
      item.dataset.over = String(over);
      item.querySelector(".w-over").hidden = !over;
      item.querySelector(".w-marks").hidden = !over && item.querySelector(".w-marks").children.length === 1;
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

function waitingItem(ticket, readAt) {
  const button = element("button", "wait-item");
  Object.assign(button.dataset, { action: "call", ticket: ticket.id, number: ticket.number, service: ticket.service });
  button.type = "button";
  button.dataset.priority = String(Boolean(ticket.priority));
  button.dataset.emergency = ticket.emergency || "";
  button.dataset.booked = String(Boolean(ticket.booked));
  // The wait shown runs from the issue; the target counts from the queue time (a booking's slot).
  const shift = serverShift(ticket.queue_at, ticket.waited_minutes, readAt);
  button.dataset.since = String(Date.parse(ticket.issued_at) + shift);
  button.dataset.queued = String(Date.parse(ticket.queue_at) + shift);
  const info = element("span", "w-info");
  const service = element("span", "w-service");
  say(service, ...serviceName(ticket.service));
  const marks = element("span", "w-marks");
  renderMarks(marks, ticket);
  marks.append(overTag(targetWait(ticket.service)));  // shown by renderWaitTimes
  info.append(service, marks);
  button.append(element("span", "w-number", ticket.number), info, element("span", "w-time"));
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

/** The mark of a ticket waiting past its service's target (shown by renderWaitTimes). */
function overTag(target) {
  const span = element("span", "tag tag-over w-over");
  say(span, `Lewat target ${target} mnt`, `Over the ${target} min target`);
  span.hidden = true;
  return span;
}
