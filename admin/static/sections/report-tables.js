/**
 * The daily report's tables: visits and tickets (and how the tickets came), times, and the
 * day by counter, staff member, service, waiting target, emergency reason, priority group
 * and hour. The charts say the same; the tables are what a screen reader reads.
 */
import { $, bi, element, PRIORITY_WORDS } from "../../js/words.js";
import { durationBoth, minutesBoth, OUTCOME_WORDS, percent, serviceBoth, SOURCE_WORDS, STATUS_WORDS } from "../format.js";
import { NAMES, REASONS } from "../page.js";

const COUNTERS = new Map(NAMES.counters.map((c) => [c.id, c.name]));

const GROUP_WORDS = { ...PRIORITY_WORDS, none: ["Bukan prioritas", "Not priority"] };

/** A table with a caption; heads are [[id, en], numeric?]; a cell is a string/number or [id, en] words
 *  (always put in as text). Without rows, `empty` ([id, en] words) says why in one row. */
export function table(className, caption, heads, rows, empty = null) {
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
  if (!rows.length && empty) {
    const none = element("td", "empty", ...bi(...empty));
    none.colSpan = heads.length;
    body.append(element("tr", "", none));
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
  const sources = table("source-table", ["Tiket per sumber", "Tickets by source"], [[["Sumber", "Source"]], [["Tiket", "Tickets"], true]],
    Object.entries(SOURCE_WORDS).map(([source, words]) => [words, tickets.by_source?.[source] ?? 0]));
  const counters = table("counter-report", ["Per loket", "By counter"], [[["Loket", "Counter"]], [["Petugas", "Staff"]], [["Dilayani", "Served"], true], [["Tidak hadir", "No-show"], true], [["Rata-rata layanan", "Mean service"], true], [["Jeda", "Paused"], true]],
    report.counters.map((c) => [c.name, c.staff || "—", c.served, c.no_show, minutesBoth(c.mean_service_seconds), durationBoth(c.paused_seconds ?? 0)]));
  const staff = staffTable(report.staff || []);
  const targets = targetTable(report.targets || []);
  const reasons = table("reason-table", ["Keperluan darurat", "Emergency reasons"], [[["Keperluan", "Reason"]], [["Kunjungan", "Visits"], true]],
    Object.entries(report.visits.by_reason).map(([code, n]) => [reasonBoth(code), n]));
  const priorities = table("priority-table", ["Pengunjung prioritas", "Priority visitors"], [[["Kelompok", "Group"]], [["Kunjungan", "Visits"], true]],
    Object.entries(report.visits.by_priority).map(([kind, n]) => [GROUP_WORDS[kind] || [kind, kind], n]));
  const hours = table("hour-table", ["Per jam", "By hour"], [[["Jam", "Hour"]], [["Kedatangan", "Arrivals"], true], [["Panggilan", "Calls"], true]],
    report.by_hour.map((h) => [`${String(h.hour).padStart(2, "0")}.00`, h.arrivals, h.calls]));
  $("report-tables").replaceChildren(element("div", "report-col", summary, sources),
                                     element("div", "report-col", times, priorities, reasons),
                                     element("div", "report-col", services, hours),
                                     element("div", "report-wide",
                                             element("div", "report-col", counters, staff),
                                             element("div", "report-col", targets)));
}

/** Each staff member who acted at a counter that day: where, what, and how long paused. */
function staffTable(rows) {
  return table("staff-table", ["Staf", "Staff"],
    [[["Pengguna", "User"]], [["Loket", "Counters"]], [["Dilayani", "Served"], true], [["Tidak hadir", "No-show"], true],
     [["Rata-rata layanan", "Mean service"], true], [["Jeda", "Paused"], true]],
    rows.map((s) => [s.user, s.counters.map((id) => COUNTERS.get(id) || String(id)).join(", ") || "—", s.served, s.no_show,
                     minutesBoth(s.mean_service_seconds), durationBoth(s.paused_seconds)]),
    ["Tidak ada petugas yang bekerja di loket pada tanggal ini.", "No staff worked at a counter on this date."]);
}

/** Per service with a waiting target: of the tickets called, how many within the target. */
function targetTable(rows) {
  return table("target-table", ["Target waktu tunggu", "Waiting targets"],
    [[["Layanan", "Service"]], [["Target", "Target"], true], [["Dipanggil", "Called"], true],
     [["Dalam target", "Within"], true], [["Persentase", "Share"], true]],
    rows.map((t) => [serviceBoth(t.service), [`${t.target_wait} mnt`, `${t.target_wait} min`], t.called, t.within,
                     t.share === null || t.share === undefined ? "—" : `${Math.round(t.share * 100)}%`]),
    ["Belum ada layanan dengan target waktu tunggu.", "No service has a waiting target."]);
}

function reasonBoth(code) {
  // Not "Bukan darurat": that is the counter's word for a rejected claim, counted under its reason.
  if (code === "none") return ["Tanpa klaim darurat", "No emergency claimed"];
  const r = REASONS.get(code);
  return r ? [r.label, r.label_en] : [code, code];
}
