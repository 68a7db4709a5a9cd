/**
 * The satisfaction survey (Survei Kepuasan Masyarakat, Permenpan-RB 14/2017; issue 21) on the
 * phone page of a ticket that ended done: the nine elements, four answers each (1 to 4, in the
 * server's words), an optional comment, one answer per ticket, open until the end of the next day.
 * The server decides all of it (GET/POST /api/tickets/<token>/survey); the page only asks and
 * says what it answered. The comment is the visitor's text and is only ever put in as text.
 */

const COMMENT_MOST = 500;  // the server's limit (queueing/survey.py); the textarea's maxlength says the same
const RETRY_MS = 15000;    // the phone asks again this long after the survey could not be fetched

const $ = (id) => document.getElementById(id);
let started = false;

/** Show the ticket's survey, once (later calls do nothing). say(el, id, en) writes both languages. */
export function startSurvey(token, say) {
  if (started) return;
  started = true;
  new Survey(token, say).load();
}

class Survey {
  constructor(token, say) {
    this.url = `/api/tickets/${encodeURIComponent(token)}/survey`;
    this.say = say;
    this.section = $("survey");
    this.form = $("survey-form");
    this.codes = [];
  }

  state(name) {
    this.section.dataset.state = name;
    this.section.hidden = name === "off";
    this.form.hidden = name !== "form" && name !== "sending";
    $("survey-intro").hidden = this.form.hidden;
    $("survey-thanks").hidden = name !== "thanks";
    $("survey-closed").hidden = name !== "closed";
  }

  async load() {
    let answer;
    try {
      answer = await fetch(this.url, { cache: "no-store" });
    } catch {
      setTimeout(() => this.load(), RETRY_MS);  // offline for now
      return;
    }
    if (answer.status === 404) return this.state("off");  // no survey at this office
    if (!answer.ok) return setTimeout(() => this.load(), RETRY_MS);
    const survey = await answer.json();
    if (survey.answered) this.thank();
    else if (!survey.open) this.closed(closedWords(survey.until));
    else this.show(survey);
  }

  show(survey) {
    this.codes = survey.questions.map((q) => q.code);
    $("questions").replaceChildren(...survey.questions.map((q, i) => this.question(q, i + 1, survey.answers)));
    this.form.addEventListener("change", () => this.update());
    $("comment").addEventListener("input", () => this.update());
    this.form.addEventListener("submit", (event) => { event.preventDefault(); this.send(); });
    this.update();
    this.state("form");
  }

  /** One element: its question as a legend, its four answers as large radio buttons. */
  question(q, n, answers) {
    const item = document.createElement("li");
    item.className = "question";
    const set = document.createElement("fieldset");
    const legend = document.createElement("legend");
    legend.className = "question-text";
    this.say(legend, `${n}. ${q.text}`, `${n}. ${q.text_en || q.text}`);
    const choices = document.createElement("div");
    choices.className = "answers";
    for (const a of answers) {
      const label = document.createElement("label");
      label.className = "answer";
      const input = document.createElement("input");
      input.type = "radio";
      input.name = q.code;
      input.value = String(a.value);
      input.className = "answer-input";
      const face = document.createElement("span");
      face.className = "answer-face";
      const value = document.createElement("span");
      value.className = "answer-value";
      value.textContent = String(a.value);
      const words = document.createElement("span");
      words.className = "answer-words";
      this.say(words, a.words, a.words_en || a.words);
      face.append(value, words);
      label.append(input, face);
      choices.append(label);
    }
    set.append(legend, choices);
    item.append(set);
    return item;
  }

  answers() {
    const found = {};
    for (const code of this.codes) {
      const checked = this.form.querySelector(`input[name="${code}"]:checked`);
      if (checked) found[code] = Number(checked.value);
    }
    return found;
  }

  /** The send button waits for all nine answers, and says how many are still missing. */
  update() {
    const missing = this.codes.length - Object.keys(this.answers()).length;
    $("survey-send").disabled = missing > 0 || this.section.dataset.state === "sending";
    $("survey-missing").hidden = missing === 0;
    this.say($("survey-missing"), `Masih ${missing} pertanyaan belum dijawab.`,
             `${missing} ${missing === 1 ? "question" : "questions"} still to answer.`);
    const left = COMMENT_MOST - $("comment").value.length;
    if (left >= 0) this.say($("comment-left"), `Sisa ${left} karakter`, `${left} ${left === 1 ? "character" : "characters"} left`);
    else this.say($("comment-left"), `${-left} karakter terlalu banyak`, `${-left} ${left === -1 ? "character" : "characters"} too many`);
  }

  async send() {
    const body = { answers: this.answers() };
    if (Object.keys(body.answers).length < this.codes.length) return;
    const comment = $("comment").value.trim();
    if (comment) body.comment = comment;
    $("survey-error").hidden = true;
    this.state("sending");
    this.update();
    let answer;
    try {
      answer = await fetch(this.url, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    } catch {
      return this.refused(["Jawaban belum terkirim: periksa koneksi internet, lalu kirim lagi.",
                           "Not sent: check the internet connection, then send again."]);
    }
    if (answer.status === 201) return this.thank();
    const refusal = await answer.json().catch(() => ({}));
    if (refusal.error === "survey_done") return this.thank();  // answered already (another tab, a retry)
    if (refusal.error === "survey_closed") return this.closed([refusal.message, refusal.message]);
    const message = refusal.message || "Jawaban belum dapat diterima. Silakan coba lagi.";
    return this.refused([message, refusal.message || "The answers could not be accepted. Please try again."]);
  }

  refused(words) {
    this.state("form");
    this.say($("survey-error"), ...words);
    $("survey-error").hidden = false;
    this.update();
    $("survey-error").scrollIntoView({ block: "center" });
  }

  thank() {
    this.state("thanks");
    $("survey-thanks").focus();
  }

  closed(words) {
    this.say($("survey-closed"), ...words);
    this.state("closed");
  }
}

/** "Closed", with the last day it could be answered (a date, the office's day). */
function closedWords(until) {
  const day = new Date(`${until}T00:00:00Z`);
  const date = (locale) => new Intl.DateTimeFormat(locale, {
    day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(day);
  return [`Survei untuk nomor ini sudah ditutup. Survei dapat diisi sampai akhir hari berikutnya setelah pelayanan (${date("id-ID")}).`,
          `The survey for this number is closed. It could be answered until the end of the day after the service (${date("en-GB")}).`];
}
