/**
 * The marks on a ticket, on the ticket in hand and in the queue list: booked (with its
 * session's start, which is its place in the queue), priority, and an emergency claim or a
 * confirmed emergency.
 */
import { element, PRIORITY_WORDS, say } from "../js/words.js";
import { reasonLabel, slotTime } from "./page.js";

/** Put a ticket's marks into el (hidden when there are none); withClaim: a pending claim too. */
export function renderMarks(el, ticket, withClaim = true) {
  const tags = [];
  if (ticket.booked) {
    const at = slotTime(ticket.queue_at);
    tags.push(tag("booked", `Booking ${at}`, `Booking ${at}`));
  }
  if (ticket.priority) {
    const [id, en] = PRIORITY_WORDS[ticket.priority_kind] || PRIORITY_WORDS.ya;
    tags.push(tag("priority", `Prioritas: ${id}`, `Priority: ${en}`));
  }
  if ((withClaim && ticket.emergency === "claimed") || ticket.emergency === "confirmed") {
    const [id, en] = reasonLabel(ticket);
    tags.push(ticket.emergency === "confirmed"
      ? tag("confirmed", `Darurat sah: ${id}`, `Emergency confirmed: ${en}`)
      : tag("claimed", `Klaim darurat: ${id}`, `Emergency claim: ${en}`));
  }
  el.replaceChildren(...tags);
  el.hidden = tags.length === 0;
}

function tag(kind, id, en) {
  const span = element("span", `tag tag-${kind}`);
  say(span, id, en);
  return span;
}
