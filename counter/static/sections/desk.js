/**
 * The desk: the ticket in hand (or the counter's pause), the counter's queue and today's
 * no-shows, as the server last said them.
 *
 * The server is the only record of the ticket in hand: the desk (GET /api/counters/<id>)
 * is loaded one request at a time, an answer older than the last change is dropped, and
 * while an action is out its own answer, not a refresh, decides the ticket in hand.
 */
import { $, say } from "../../js/words.js";
import { clockText } from "../clock.js";
import { renderMarks } from "../marks.js";
import { reasonLabel, root, serviceName } from "../page.js";
import { renderPaused } from "./pause.js";
import { createQueue } from "./queue.js";

const REFRESH_DELAY_MS = 150;             // events in a burst make one desk refresh
const OFFLINE_REFRESH_MS = 30000;         // without the live channel, the desk is still refreshed
const ACTIVE = ["called", "serving"];
const STATUS_WORDS = { called: ["Dipanggil", "Called"], serving: ["Sedang dilayani", "Being served"],
                       redirected: ["Diarahkan ke layanan online", "Sent online"], paused: ["Dijeda", "Paused"] };
const TIMER_WORDS = { called: ["Sejak dipanggil", "Since the call"], serving: ["Lama layanan", "Serving for"] };

/**
 * signedIn(), counterId(): where the desk is; onHold(ticket): the ticket in hand is now this
 * one (or null); slip: the visitor just sent online, shown where the ticket in hand would be;
 * noShows: today's no-shows list.
 */
export function createDesk({ api, note, now, buttons, slip, noShows, signedIn, counterId, onHold }) {
  let desk = null;     // the last desk loaded: its waiting list, no-shows and today's tally
  let readAt = 0;      // when it was loaded, on the server's clock
  let ticket = null;   // the ticket in hand, called or serving
  let paused = null;   // the counter's pause {reason, words, since, by}, or null
  let seq = 0;         // rises with each change made here: a desk asked for before it is stale
  let loading = false;
  let dirty = false;   // something changed while loading: load again
  let lastRefresh = 0;
  let refreshTimer = null;
  let ticks = 0;
  const queue = createQueue({ now });

  function scheduleRefresh() {
    if (refreshTimer) return;  // one is planned: it will see this change too
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      refresh();
    }, REFRESH_DELAY_MS);
  }

  /** Load the desk; one request at a time, and an answer older than the last change is dropped. */
  async function refresh() {
    if (!signedIn() || !counterId()) return;
    if (loading) {
      dirty = true;
      return;
    }
    [loading, dirty, lastRefresh] = [true, false, Date.now()];
    const asked = seq;
    const answer = await api("GET", `/api/counters/${counterId()}`);
    loading = false;
    const current = asked === seq;
    if (current && answer.ok) apply(answer.body);
    else if (current && answer.status !== 401) note.refused(answer, "refresh");
    if (dirty || !current) refresh();
  }

  function apply(fresh) {
    [desk, readAt] = [fresh, now()];
    if (note.origin() === "refresh") note.clear();  // the desk loads again: that problem is over
    if (!buttons.busy()) {  // an action is out: its answer decides the ticket in hand
      const before = ticket;
      const gone = before && (!fresh.ticket || fresh.ticket.id !== before.id);
      if (gone && note.kind() !== "error") {  // a refusal already said why
        note.show("info", `Tiket ${before.number} tidak lagi di loket ini: diubah dari tempat lain.`,
                  `Ticket ${before.number} is no longer at this counter: it was changed elsewhere.`);
      }
      paused = fresh.paused || null;
      hold(fresh.ticket);
    }
    render();
  }

  /** Take the ticket the server said is in hand (a done or sent-online one is not). */
  function hold(held) {
    ticket = held && ACTIVE.includes(held.status) ? held : null;
    if (ticket) slip.forget();
    onHold(ticket);
    renderCurrent();
    buttons.update();
  }

  /** The counter's pause, as a pause or resume just answered (null: not paused). */
  function setPaused(fresh) {
    paused = fresh || null;
    if (paused) slip.forget();  // a paused desk shows the pause, not the last visitor sent online
    render();
  }

  /** Forget the desk: another counter, or signed out. A desk on its way is dropped. */
  function reset() {
    seq += 1;
    desk = null;
    ticket = null;
    paused = null;
    slip.forget();
    queue.reset();
    noShows.reset();
  }

  function render() {
    renderCurrent();
    queue.render(desk, ticket, { readAt, paused: Boolean(paused) });
    noShows.render(desk ? desk.no_shows : null, readAt);
    buttons.update();
  }

  function renderCurrent() {
    const pause = !ticket && paused;  // the server never lets a counter hold a ticket while paused
    const redirected = !ticket && !pause && slip.current();
    const status = ticket ? ticket.status : pause ? "paused" : redirected ? "redirected" : null;
    $("current").dataset.status = status || "none";
    $("held").hidden = !ticket;
    $("paused").hidden = !pause;
    $("pause-open").hidden = Boolean(pause);
    $("idle").hidden = Boolean(status);
    $("redirect").hidden = !redirected;
    $("claim").hidden = !(ticket && ticket.emergency === "claimed");
    if (status) say($("status-badge"), ...STATUS_WORDS[status]);
    else $("status-badge").replaceChildren();
    if (ticket) renderHeld(ticket);
    if (pause) renderPaused(pause, now());
    if (redirected) slip.render();
    renderClock();
  }

  function renderClock() {
    const since = ticket && (ticket.status === "serving" ? ticket.started_at : ticket.called_at);
    $("clock").textContent = since ? clockText(now() - Date.parse(since)) : "";
  }

  /**
   * Every second: the clock; every ten, the waiting times, how long ago the no-shows were and
   * how long the pause has lasted; without the live channel, a refresh now and then.
   */
  function tick(connected) {
    renderClock();
    ticks += 1;
    if (ticks % 10 === 0) {
      queue.renderWaitTimes();
      noShows.renderTimes();
      if (!ticket && paused) renderPaused(paused, now());
    }
    const stale = Date.now() - lastRefresh > OFFLINE_REFRESH_MS;
    if (!connected && stale && root.dataset.screen === "desk") refresh();
  }

  return {
    ticket: () => ticket,
    paused: () => paused,
    bump: () => { seq += 1; },
    scheduleRefresh, refresh, hold, setPaused, reset, render, renderCurrent, tick,
  };
}

function renderHeld(ticket) {
  $("number").textContent = ticket.number;
  say($("held-service"), ...serviceName(ticket.service));
  renderMarks($("marks"), ticket, false);  // a pending claim has its own box below
  say($("timer-label"), ...TIMER_WORDS[ticket.status]);
  if (ticket.emergency === "claimed") {
    const [id, en] = reasonLabel(ticket);
    say($("claim-reason"), `Klaim darurat: ${id}`, `Emergency claim: ${en}`);
  }
}
