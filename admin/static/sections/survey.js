/**
 * The satisfaction survey's report (SKM, Permenpan-RB 14/2017; issue 21): pick a period (this
 * month so far at first), see how many answered, the index (IKM) with its grade, the server-drawn
 * chart of each element's NRR, the elements, services and counters in tables, and the comments;
 * download the period as CSV. A period nobody answered in says so instead of the tables.
 * Comments are the visitors' own words: they go into the page as text, never as markup.
 */
import { $, element, say } from "../../js/words.js";
import { daysBetween, decimalBoth, GRADE_WORDS, serviceBoth, spanShortBoth } from "../format.js";
import { note, problem } from "../page.js";
import { table } from "./report-tables.js";

const MAX_PERIOD_DAYS = 366;  // the server's limit for /api/reports/survey

/** today(): today's date once known, else null. */
export function createSurvey({ api, today }) {
  let report = null;     // the report shown
  let asked = 0;         // requests made; only the answer to the last one is shown
  let chartVersion = 0;  // makes the browser fetch the chart again

  /** Today's date is (again) known: the period stops there, and at first it is this month so far. */
  function onToday(day) {
    $("survey-from").max = day;
    $("survey-to").max = day;
    if (!asked) thisMonth();
  }

  /** The period from the first of this month to today. */
  function thisMonth() {
    const day = today();
    if (!day) return;
    $("survey-from").value = `${day.slice(0, 8)}01`;
    $("survey-to").value = day;
    load();
  }

  async function load() {
    const period = checkedPeriod();
    if (!period) return;
    const mine = ++asked;
    const query = `from=${period.from}&to=${period.to}`;
    const answer = await api("GET", `/api/reports/survey?${query}`);
    if (mine !== asked) return;  // another period was picked meanwhile: that answer wins
    if (!answer.ok) return note("survey-note", "error", problem(answer));
    note("survey-note", "", null);
    report = answer.body;
    $("survey-csv").href = `/api/reports/survey.csv?${query}`;
    show(report);
  }

  /** The period in the fields, or null (with a note saying why, and no CSV link) when it cannot be asked for. */
  function checkedPeriod() {
    const from = $("survey-from").value;
    const to = $("survey-to").value;
    let why = null;
    if (!from || !to) why = ["Isi kedua tanggal.", "Fill in both dates."];
    else if (to < from) why = ["Tanggal 'sampai' harus sesudah tanggal 'dari'.", "'To' must not be before 'from'."];
    else if (daysBetween(from, to) > MAX_PERIOD_DAYS) why = [`Paling lama ${MAX_PERIOD_DAYS} hari.`, `At most ${MAX_PERIOD_DAYS} days.`];
    const link = $("survey-csv");
    if (why) {
      asked += 1;  // an answer still on its way is for a period no longer asked for
      link.removeAttribute("href");
      link.setAttribute("aria-disabled", "true");
      note("survey-note", "error", why);
      return null;
    }
    link.removeAttribute("aria-disabled");
    return { from, to };
  }

  function onPeriodInput() {
    const valid = (day) => /^\d{4}-\d{2}-\d{2}$/.test(day);
    if (valid($("survey-from").value) && valid($("survey-to").value)) load();
    else checkedPeriod();
  }

  function showChart(shown) {
    chartVersion += 1;
    const language = document.documentElement.lang === "en" ? "en" : "id";
    const img = $("chart-survey");
    img.alt = chartAlt(shown)[language === "en" ? 1 : 0];
    img.src = `/api/reports/survey/elements.svg?from=${shown.from}&to=${shown.to}&lang=${language}&v=${chartVersion}`;
  }

  function show(shown) {
    const empty = shown.responses === 0;
    say($("survey-period-words"), ...spanShortBoth({ from: shown.from, until: shown.to }));
    $("survey-responses").textContent = String(shown.responses);
    say($("survey-ikm"), ...decimalBoth(shown.ikm, 2));
    $("survey-grade").textContent = shown.grade || "";
    if (shown.grade) say($("survey-grade-words"), ...gradeBoth(shown));
    else $("survey-grade-words").replaceChildren();
    $("survey-message").hidden = !empty;
    if (empty) say($("survey-message"), shown.message, "No survey responses in this period.");
    $("survey-elements").hidden = empty;
    $("survey-tables").hidden = empty;
    $("survey-elements").replaceChildren(...(empty ? [] : [elementTable(shown.elements)]));
    $("survey-tables").replaceChildren(...(empty ? [] : [
      element("div", "report-col",
              summaryTable("survey-service-table", ["Per layanan", "By service"], ["Layanan", "Service"],
                           shown.by_service.map((s) => [serviceBoth(s.service), s])),
              summaryTable("survey-counter-table", ["Per loket", "By counter"], ["Loket", "Counter"],
                           shown.by_counter.map((c) => [c.name, c]))),
      element("div", "report-col", commentTable(shown.comments)),
    ]));
    showChart(shown);
  }

  return {
    onToday, load, onPeriodInput, thisMonth,
    /** Draw the chart again, e.g. in the other language. */
    redraw: () => { if (report) showChart(report); },
  };
}

/** The grade in words, the server's Indonesian first: ["Baik", "Good"]. */
function gradeBoth(summary) {
  const [id, en] = GRADE_WORDS[summary.grade] || [summary.grade, summary.grade];
  return [summary.grade_words || id, en];
}

function elementTable(elements) {
  return table("survey-element-table", ["Per unsur (nilai = NRR × 25)", "By element (score = NRR × 25)"],
    [[["Kode", "Code"]], [["Unsur", "Element"]], [["NRR", "NRR"], true], [["Nilai", "Score"], true]],
    elements.map((e) => [e.code.toUpperCase(), [e.name, e.name_en || e.name],
                         decimalBoth(e.nrr, 3), decimalBoth(e.score, 2)]));
}

/** Responses, IKM and grade per service or counter: rows are [name, summary]. */
function summaryTable(className, caption, head, rows) {
  return table(className, caption,
    [[head], [["Jawaban", "Responses"], true], [["IKM", "IKM"], true], [["Mutu", "Grade"]]],
    rows.map(([name, s]) => {
      const [wordsId, wordsEn] = gradeBoth(s);
      return [name, s.responses, decimalBoth(s.ikm, 2), [`${s.grade} · ${wordsId}`, `${s.grade} · ${wordsEn}`]];
    }));
}

function commentTable(comments) {
  return table("survey-comment-table", ["Komentar", "Comments"],
    [[["Tanggal", "Day"]], [["Layanan", "Service"]], [["Komentar", "Comment"]]],
    comments.map((c) => [spanShortBoth({ from: c.day, until: c.day }), serviceBoth(c.service), c.comment]),
    ["Tidak ada komentar pada periode ini.", "No comments in this period."]);
}

/** What the chart shows, in words, for a screen reader: [id, en]. */
function chartAlt(report) {
  const [periodId, periodEn] = spanShortBoth({ from: report.from, until: report.to });
  if (!report.responses) {
    return [`Grafik NRR per unsur, ${periodId}: belum ada jawaban.`, `Chart of the NRR per element, ${periodEn}: no responses yet.`];
  }
  const values = (i) => report.elements.map((e) => `${e.code.toUpperCase()} ${decimalBoth(e.nrr, 3)[i]}`).join(", ");
  const [ikmId, ikmEn] = decimalBoth(report.ikm, 2);
  return [`Grafik NRR per unsur, ${periodId}: ${values(0)}. IKM ${ikmId}, mutu ${report.grade}.`,
          `Chart of the NRR per element, ${periodEn}: ${values(1)}. IKM ${ikmEn}, grade ${report.grade}.`];
}
