/**
 * Today, live: the day's figures from today's report, who waits for which service and for
 * how long, the services waiting past their target, and what each counter is doing (ready,
 * calling, serving, or paused and since when), from the public queue snapshot. It knows
 * today's date first (the report's), and tells onDay(day) each time it loads.
 */
import { $, bi, element, say } from "../../js/words.js";
import { dayBoth, minutesBoth, PAUSE_WORDS, percent, serviceBoth, timeBoth, waitBoth } from "../format.js";
import { coalesced, NAMES, SERVICES } from "../page.js";

const TODAY_REFRESH_MS = 300;  // events in a burst make one refresh, at most this late

export function createToday({ api, http, onDay }) {
  let snapshot = null;
  let today = null;

  async function load() {
    const [report, state] = await Promise.all([api("GET", "/api/reports/daily"), http("GET", "/api/state")]);
    if (state.ok) snapshot = state.body;
    if (!report.ok) return;
    today = report.body.date;
    showToday(report.body);
    onDay(today);
  }

  function showToday(report) {
    const outcomes = report.visits.by_outcome;
    const total = report.visits.total;
    say($("today-date"), ...dayBoth(report.date));
    for (const outcome of NAMES.outcomes) $(`today-${outcome}`).textContent = String(outcomes[outcome] ?? 0);
    $("today-total").textContent = String(total);
    const share = percent(outcomes.online, total);
    say($("today-online-share"), `${share}% dari ${total} kunjungan`, `${share}% of ${total} visits`);
    const wait = report.wait_seconds;
    const [meanId, meanEn] = minutesBoth(wait.mean);
    const [p90Id, p90En] = minutesBoth(wait.p90);
    say($("today-times"),
        `Waktu tunggu sampai dipanggil: rata-rata ${meanId}, p90 ${p90Id} (${wait.count} tiket dipanggil). Tiket diterbitkan: ${report.tickets.total}.`,
        `Waiting until called: mean ${meanEn}, p90 ${p90En} (${wait.count} ${wait.count === 1 ? "ticket" : "tickets"} called). Tickets issued: ${report.tickets.total}.`);
    if (snapshot) {
      showWaiting(snapshot.services);
      showOverTarget(snapshot.services);
      showCounters(snapshot.counters, report.counters);
    }
  }

  return {
    load,
    refresh: coalesced(load, TODAY_REFRESH_MS),
    takeSnapshot: (fresh) => { snapshot = fresh; },
    /** Today's date once the report said it, else null. */
    date: () => today,
    /** Today's date as far as known: the report's, else the snapshot's. */
    day: () => today || snapshot?.day,
  };
}

function cell(tag, className, ...children) {
  return element(tag, className, ...children.flat());
}

function showWaiting(services) {
  let total = 0;
  const rows = services.map((s) => {
    total += s.waiting;
    const meta = SERVICES.get(s.code) || {};
    const name = cell("th", "", element("span", "prefix", s.prefix), " ", ...bi(...serviceBoth(s.code)));
    name.scope = "row";
    if (meta.postponed) name.append(" ", element("span", "badge", ...bi("ditunda", "postponed")));
    if (s.over_target) name.append(" ", element("span", "badge badge-late", ...bi("lewat target", "over target")));
    const longest = s.longest_wait === null || s.longest_wait === undefined ? ["—", "—"] : waitBoth(s.longest_wait);
    const row = element("tr", s.waiting ? "" : "is-zero", name, element("td", "num", String(s.waiting)),
                        element("td", s.over_target ? "num wait late" : "num wait", ...bi(...longest)));
    row.dataset.service = s.code;
    return row;
  });
  $("waiting-rows").replaceChildren(...rows);
  say($("waiting-total"), `(${total} orang)`, `(${total} people)`);
}

/** The services whose oldest waiting visitor has waited past the service's target, or that none has. */
function showOverTarget(services) {
  const late = services.filter((s) => s.over_target);
  const targeted = services.some((s) => s.target_wait !== null && s.target_wait !== undefined);
  $("targets").dataset.over = targeted ? String(late.length) : "none";
  if (!late.length) {
    const words = targeted ? ["Semua layanan dalam target", "Every service within its target"]
      : ["Belum ada target waktu tunggu", "No waiting targets are set"];
    $("over-target").replaceChildren(element("li", "within", ...bi(...words)));
    return;
  }
  $("over-target").replaceChildren(...late.map((s) => {
    const [nameId, nameEn] = serviceBoth(s.code);
    const item = element("li", "over", element("span", "prefix", s.prefix), " ",
      ...bi(`${nameId}: terlama menunggu ${s.longest_wait} menit, target ${s.target_wait} menit`,
            `${nameEn}: longest wait ${minutesWord(s.longest_wait)}, target ${minutesWord(s.target_wait)}`));
    item.dataset.service = s.code;
    return item;
  }));
}

function minutesWord(n) {
  return `${n} ${n === 1 ? "minute" : "minutes"}`;
}

/** Two language spans, each of several children (text and elements), like bi() of plain texts. */
function both(idChildren, enChildren) {
  const [id, en] = bi("", "");
  id.append(...idChildren);
  en.append(...enChildren);
  return [id, en];
}

/** What a counter is doing, in words: ready, calling or serving a number, or paused with why and since when. */
function stateOf(counter) {
  if (counter.paused) {
    const p = counter.paused;
    const [reasonId, reasonEn] = PAUSE_WORDS[p.reason] || [p.words, p.words];
    const [sinceId, sinceEn] = timeBoth(p.since);
    return ["paused", both([element("strong", "", "Jeda:"), ` ${reasonId} sejak ${sinceId}`],
                           [element("strong", "", "Paused:"), ` ${reasonEn} since ${sinceEn}`])];
  }
  const t = counter.ticket;
  if (!t) return ["free", bi("Siap", "Ready")];
  const [verbId, verbEn] = t.status === "serving" ? ["Melayani", "Serving"] : ["Memanggil", "Calling"];
  return [t.status, both([`${verbId} `, element("strong", "number", t.number)],
                         [`${verbEn} `, element("strong", "number", t.number)])];
}

function showCounters(counters, tally) {
  const byId = new Map(tally.map((c) => [c.id, c]));
  const rows = counters.map((c) => {
    const [state, words] = stateOf(c);
    const name = element("th", "", c.name);
    name.scope = "row";
    const row = element("tr", `state-${state}`, name, cell("td", "state", words),
                        element("td", "", byId.get(c.id)?.staff || "—"),
                        element("td", "num", String(byId.get(c.id)?.served ?? 0)));
    row.dataset.counter = c.id;
    row.dataset.state = state;
    return row;
  });
  $("counter-rows").replaceChildren(...rows);
}
