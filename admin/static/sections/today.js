/**
 * Today, live: the day's figures from today's report, who waits for which service, and
 * what each counter has in hand, from the public queue snapshot. It knows today's date
 * first (the report's), and tells onDay(day) each time it loads.
 */
import { $, bi, element, say } from "../../js/words.js";
import { dayBoth, minutesBoth, percent, serviceBoth, STATUS_WORDS } from "../format.js";
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
    const row = element("tr", s.waiting ? "" : "is-zero", name, element("td", "num", String(s.waiting)));
    row.dataset.service = s.code;
    return row;
  });
  $("waiting-rows").replaceChildren(...rows);
  say($("waiting-total"), `(${total} orang)`, `(${total} people)`);
}

function showCounters(counters, tally) {
  const byId = new Map(tally.map((c) => [c.id, c]));
  const rows = counters.map((c) => {
    const t = c.ticket;
    const ticket = t ? cell("td", `ticket status-${t.status}`, element("strong", "", t.number), " ",
                            element("span", "ticket-status", ...bi(...STATUS_WORDS[t.status])))
      : cell("td", "muted", ...bi("—", "—"));
    const name = element("th", "", c.name);
    name.scope = "row";
    const row = element("tr", "", name, ticket, element("td", "", byId.get(c.id)?.staff || "—"),
                        element("td", "num", String(byId.get(c.id)?.served ?? 0)));
    row.dataset.counter = c.id;
    return row;
  });
  $("counter-rows").replaceChildren(...rows);
}
