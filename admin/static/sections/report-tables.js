/**
 * The daily report's tables: visits and tickets, times, and the day by counter, service,
 * emergency reason, priority group and hour. The charts say the same; the tables are
 * what a screen reader reads.
 */
import { $, bi, element, PRIORITY_WORDS } from "../../js/words.js";
import { minutesBoth, OUTCOME_WORDS, percent, STATUS_WORDS } from "../format.js";
import { NAMES, REASONS } from "../page.js";

const GROUP_WORDS = { ...PRIORITY_WORDS, none: ["Bukan prioritas", "Not priority"] };

/** A table with a caption; heads are [[id, en], numeric?]; a cell is a string/number or [id, en] words. */
function table(className, caption, heads, rows) {
  const t = element("table", `table ${className}`);
  t.append(element("caption", "", ...bi(...caption)));
  const headRow = element("tr");
  heads.forEach(([words, num]) => {
    const th = element("th", num ? "num" : "", ...bi(...words));
    th.scope = "col";
    headRow.append(th);
  });
  t.append(element("thead", "", headRow));
  const body = element("tbody");
  for (const cells of rows) {
    const tr = element("tr");
    cells.forEach((value, i) => {
      const isWords = Array.isArray(value);
      const c = element(i === 0 ? "th" : "td", heads[i][1] ? "num" : "", ...(isWords ? bi(...value) : [String(value)]));
      if (i === 0) c.scope = "row";
      tr.append(c);
    });
    body.append(tr);
  }
  t.append(body);
  return t;
}

export function showReportTables(report) {
  const outcomes = report.visits.by_outcome;
  const total = report.visits.total;
  const tickets = report.tickets;
  const [waitMeanId, waitMeanEn] = minutesBoth(report.wait_seconds.mean);
  const [waitP90Id, waitP90En] = minutesBoth(report.wait_seconds.p90);
  const [serveMeanId, serveMeanEn] = minutesBoth(report.service_seconds.mean);
  const [serveP90Id, serveP90En] = minutesBoth(report.service_seconds.p90);
  const summary = table("summary-table", ["Kunjungan dan tiket", "Visits and tickets"], [[["Hal", "Item"]], [["Jumlah", "Count"], true]], [
    [["Kunjungan di kios", "Kiosk visits"], total],
    ...NAMES.outcomes.map((o) => [[`· ${OUTCOME_WORDS[o][0]}`, `· ${OUTCOME_WORDS[o][1]}`], `${outcomes[o]} (${percent(outcomes[o], total)}%)`]),
    [["Tiket diterbitkan", "Tickets issued"], tickets.total],
    ...Object.entries(tickets.by_status).map(([s, n]) => [[`· ${STATUS_WORDS[s][0]}`, `· ${STATUS_WORDS[s][1]}`], n]),
  ]);
  const times = table("times-table", ["Waktu", "Times"], [[["Ukuran", "Measure"]], [["Rata-rata", "Mean"], true], [["p90", "p90"], true], [["Tiket", "Tickets"], true]], [
    [["Menunggu sampai dipanggil", "Waiting until called"], [waitMeanId, waitMeanEn], [waitP90Id, waitP90En], report.wait_seconds.count],
    [["Lama dilayani", "Service time"], [serveMeanId, serveMeanEn], [serveP90Id, serveP90En], report.service_seconds.count],
  ]);
  const services = table("service-table", ["Per layanan", "By service"], [[["Layanan", "Service"]], [["Kunjungan", "Visits"], true], [["Tiket", "Tickets"], true]],
    NAMES.services.map((s) => [[s.name, s.name_en], report.visits.by_service[s.code] || 0, tickets.by_service[s.code] || 0]));
  const counters = table("counter-report", ["Per loket", "By counter"], [[["Loket", "Counter"]], [["Petugas", "Staff"]], [["Dilayani", "Served"], true], [["Tidak hadir", "No-show"], true], [["Rata-rata layanan", "Mean service"], true]],
    report.counters.map((c) => [c.name, c.staff || "—", c.served, c.no_show, minutesBoth(c.mean_service_seconds)]));
  const reasons = table("reason-table", ["Keperluan darurat", "Emergency reasons"], [[["Keperluan", "Reason"]], [["Kunjungan", "Visits"], true]],
    Object.entries(report.visits.by_reason).map(([code, n]) => [reasonBoth(code), n]));
  const priorities = table("priority-table", ["Pengunjung prioritas", "Priority visitors"], [[["Kelompok", "Group"]], [["Kunjungan", "Visits"], true]],
    Object.entries(report.visits.by_priority).map(([kind, n]) => [GROUP_WORDS[kind] || [kind, kind], n]));
  const hours = table("hour-table", ["Per jam", "By hour"], [[["Jam", "Hour"]], [["Kedatangan", "Arrivals"], true], [["Panggilan", "Calls"], true]],
    report.by_hour.map((h) => [`${String(h.hour).padStart(2, "0")}.00`, h.arrivals, h.calls]));
  $("report-tables").replaceChildren(element("div", "report-col", summary),
                                     element("div", "report-col", counters, times, priorities),
                                     element("div", "report-col", services, reasons, hours));
}

function reasonBoth(code) {
  // Not "Bukan darurat": that is the counter's word for a rejected claim, counted under its reason.
  if (code === "none") return ["Tanpa klaim darurat", "No emergency claimed"];
  const r = REASONS.get(code);
  return r ? [r.label, r.label_en] : [code, code];
}
