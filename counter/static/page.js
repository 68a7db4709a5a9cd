/**
 * The counter console itself: its root element, the names the server wrote into its
 * markup (services with their waiting targets, counters, emergency reasons, kiosks, the office's
 * timezone), and how they read. The names are read once, when the page loads, and never change.
 */
import { $ } from "../js/words.js";

export const root = $("console");
export const NAMES = JSON.parse(root.dataset.names);
const SERVICES = new Map(NAMES.services.map((s) => [s.code, s]));
const COUNTERS = new Map(NAMES.counters.map((c) => [c.id, c]));
const REASONS = new Map(NAMES.reasons.map((r) => [r.code, r]));
const KIOSKS = new Map(NAMES.kiosks.map((k) => [k.id, k]));

export function serviceName(code) {
  const service = SERVICES.get(code);
  return service ? [service.name, service.name_en] : [code, code];
}

/** The minutes a service's visitors should wait at most (its target_wait), or null: no target. */
export function targetWait(code) {
  return SERVICES.get(code)?.target_wait ?? null;
}

export function counterName(id) {
  return COUNTERS.get(id)?.name || `Loket ${id}`;
}

/** The counters that serve a service, e.g. "Loket 1, Loket 3". */
export function servedAt(code) {
  return NAMES.counters.filter((c) => c.services.includes(code)).map((c) => c.name).join(", ");
}

export function reasonLabel(ticket) {
  const reason = REASONS.get(ticket.reason);
  const label = reason ? reason.label : ticket.reason_label || ticket.reason || "";
  return [label, reason ? reason.label_en : label];
}

export function kioskName(id) {
  return KIOSKS.get(id)?.name || id;
}

const SLOT_TIME = new Intl.DateTimeFormat("id-ID", { timeZone: NAMES.timezone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

/** A booked ticket's queue time (its slot's start, a UTC stamp) in office time: "08.30". */
export function slotTime(iso) {
  return iso ? SLOT_TIME.format(new Date(iso)).replace(":", ".") : "";
}

/** A moment (a UTC stamp) as office time in both languages: ["10.15", "10:15"]. */
export function officeTime(iso) {
  const id = slotTime(iso);
  return [id, id.replace(".", ":")];
}
