/**
 * The kiosk printers: paper, the last job, the failed jobs with a retry each, and a
 * short alert in the bar when something needs a hand (seen without scrolling).
 */
import { $, bi, element, say } from "../../js/words.js";
import { timeWords } from "../format.js";
import { coalesced, problem } from "../page.js";

const PRINTERS_REFRESH_MS = 300;
const PAPER_WORDS = {
  ok: ["Kertas ada", "Paper present"], low: ["Kertas hampir habis", "Paper running low"],
  out: ["Kertas habis", "Out of paper"], unknown: ["Tidak diketahui (printer tidak menjawab)", "Unknown (the printer did not answer)"],
};
const JOB_WORDS = {
  queued: ["menunggu dicetak", "waiting to print"], printing: ["sedang dicetak", "printing"],
  printed: ["tercetak", "printed"], failed: ["gagal", "failed"],
};
const KIND_WORDS = { ticket: ["Tiket", "Ticket"], slip: ["Lembar petunjuk online", "Online slip"] };

export function createPrinters({ api }) {
  async function load() {
    const answer = await api("GET", "/api/printers");
    if (answer.ok) showPrinters(answer.body.printers);
  }
  const refresh = coalesced(load, PRINTERS_REFRESH_MS);

  async function retry(button) {
    button.disabled = true;
    const answer = await api("POST", `/api/print-jobs/${button.dataset.job}/retry`);
    const noteEl = button.parentElement.querySelector(".job-note");
    if (!answer.ok) {
      button.disabled = false;
      noteEl.dataset.kind = "error";
      return say(noteEl, ...problem(answer));
    }
    noteEl.dataset.kind = "ok";
    say(noteEl, "Dikirim ulang ke printer…", "Sent to the printer again…");
    refresh();
  }

  return { load, refresh, retry };
}

function showPrinters(printers) {
  $("printer-list").replaceChildren(...printers.map(printerCard));
  showPrinterAlert(printers);
}

/** Printer trouble is shown in the bar, seen without scrolling: failed jobs, paper out or low. */
function showPrinterAlert(printers) {
  const failed = printers.reduce((n, p) => n + p.failed_jobs.length, 0);
  const paper = printers.filter((p) => p.type !== "preview" && (p.paper === "out" || p.paper === "low"));
  const parts = [];
  if (failed) parts.push([`${failed} gagal dicetak`, `${failed} failed to print`]);
  for (const p of paper) parts.push([`${p.name || p.kiosk}: ${PAPER_WORDS[p.paper][0].toLowerCase()}`,
                                     `${p.name || p.kiosk}: ${PAPER_WORDS[p.paper][1].toLowerCase()}`]);
  $("printer-alert").hidden = parts.length === 0;
  say($("printer-alert"), `Printer: ${parts.map((x) => x[0]).join(" · ")}`, `Printers: ${parts.map((x) => x[1]).join(" · ")}`);
}

function printerCard(p) {
  const card = element("article", "printer");
  card.dataset.kiosk = p.kiosk;
  const preview = p.type === "preview";
  card.dataset.paper = preview ? "none" : p.paper;
  card.dataset.failed = String(p.failed_jobs.length);
  const head = element("div", "printer-head", element("h3", "", p.name || p.kiosk),
                       element("p", "printer-type", preview ? "" : `${p.type} · ${p.address} · ${p.paper_width} mm`));
  if (preview) say(head.lastChild, "Tanpa printer: tiket hanya tampil di layar kios", "No printer: tickets are shown on the kiosk screen only");
  const facts = element("dl", "facts");
  const paper = preview ? ["—", "—"] : PAPER_WORDS[p.paper] || [p.paper, p.paper];
  facts.append(element("dt", "", ...bi("Kertas", "Paper")), element("dd", `paper paper-${preview ? "none" : p.paper}`, ...bi(...paper)));
  facts.append(element("dt", "", ...bi("Pekerjaan terakhir", "Last job")), element("dd", "last-job", ...lastJob(p.last_job)));
  card.append(head, facts);
  if (p.failed_jobs.length) {
    card.append(element("h4", "failed-title", ...bi(`Gagal dicetak (${p.failed_jobs.length})`, `Failed (${p.failed_jobs.length})`)));
    card.append(element("ul", "failed", ...p.failed_jobs.map(failedJob)));
  }
  return card;
}

function lastJob(job) {
  if (!job) return bi("Belum ada", "None yet");
  const [kindId, kindEn] = KIND_WORDS[job.kind] || [job.kind, job.kind];
  const [statusId, statusEn] = JOB_WORDS[job.status] || [job.status, job.status];
  const what = job.number ? ` ${job.number}` : "";
  const at = timeWords(job.updated_at);  // a failed one is listed below with its reason
  return bi(`${kindId}${what} ${statusId} · ${at}`, `${kindEn}${what} ${statusEn} · ${at}`);
}

function failedJob(job) {
  const [kindId, kindEn] = KIND_WORDS[job.kind] || [job.kind, job.kind];
  const li = element("li", "failed-job");
  li.dataset.job = job.id;
  const what = job.number ? ` ${job.number}` : "";
  const text = element("p", "failed-text",
    element("strong", "", ...bi(`${kindId}${what}`, `${kindEn}${what}`)), " ",
    ...bi(`· ${job.attempts}× dicoba · ${timeWords(job.updated_at)} · ${job.last_error || ""}`,
          `· tried ${job.attempts}× · ${timeWords(job.updated_at)} · ${job.last_error || ""}`));
  const button = element("button", "act small", ...bi("Ulangi", "Retry"));
  button.type = "button";
  button.dataset.action = "retry";
  button.dataset.job = job.id;
  li.append(text, button, element("p", "note job-note"));
  return li;
}
