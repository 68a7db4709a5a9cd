/**
 * The hall's voice (issue 5): a chime and "Nomor antrian A nol nol satu, silakan menuju
 * loket dua" for every call and recall, one announcement at a time, in order.
 *
 * It plays recorded clips (display/static/voice/*.ogg, made by scripts/make_voice.sh, or
 * recorded by a person under the same names) back to back with the Web Audio API: no
 * speech voice is needed on the wall PC, nothing is fetched from outside, and the words
 * follow each other without the gaps of one <audio> element per word.
 *
 *   const voice = new Announcer({ letters: ["A", "B"], onState(state) {} });  // "on" | "blocked"
 *   voice.say(version, "B004", 2);   // each event version is spoken once, never twice
 *   voice.unlock();                  // from a tap: where the browser blocks autoplay
 *
 * Every announcement is also pushed to window.__announcements as {version, text, clips,
 * queued, start, end, ended, skipped}: times from performance.now(), `ended` counts the
 * clips' `ended` events. Tests and a curious technician read it; it keeps the last 100.
 */

const CLIP_URL = new URL("./voice/", import.meta.url);
const DIGITS = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"];
const NUMBER_WORDS = ["sepuluh", "sebelas", "belas", "puluh", "seratus", "ratus"];
const PHRASES = ["chime", "nomor-antrian", "silakan-menuju-loket"];

const LEAD_S = 0.08;          // from scheduling to the first sound
const BETWEEN_S = 0.8;        // silence between two announcements
const BLOCKED_AFTER_MS = 800; // a context still suspended by then is held back by the autoplay policy
const STALE_MS = 120000;      // a call older than this when sound comes back is shown, not spoken
const KEEP = 100;             // announcements kept in window.__announcements
const SEEN = 500;             // event versions remembered, to never speak one twice

/** Return the words of a counter number, as they are said: 12 → ["dua", "belas"]. */
export function numberWords(n) {
  if (!Number.isInteger(n) || n < 0 || n > 999) return String(n).split("").map((d) => DIGITS[d] || d);
  if (n < 10) return [DIGITS[n]];
  if (n === 10) return ["sepuluh"];
  if (n === 11) return ["sebelas"];
  if (n < 20) return [DIGITS[n - 10], "belas"];
  if (n < 100) return [DIGITS[Math.floor(n / 10)], "puluh", ...(n % 10 ? numberWords(n % 10) : [])];
  const hundreds = Math.floor(n / 100) === 1 ? ["seratus"] : [DIGITS[Math.floor(n / 100)], "ratus"];
  return [...hundreds, ...(n % 100 ? numberWords(n % 100) : [])];
}

/** Return the clips of a ticket number, letter then digit by digit: "B004" → huruf-b, nol, nol, empat. */
export function ticketClips(number) {
  return [...String(number)].map((c) => (/[A-Za-z]/.test(c) ? `huruf-${c.toLowerCase()}` : DIGITS[c]))
    .filter(Boolean);
}

/** Return what is said for a call: the clips with the pause after each, and the sentence. */
export function callScript(number, counter) {
  const ticket = ticketClips(number);
  const words = numberWords(Number(counter));
  const clips = [
    ["chime", 0.3], ["nomor-antrian", 0.1],
    ...ticket.map((clip, i) => [clip, i === ticket.length - 1 ? 0.35 : 0.06]),
    ["silakan-menuju-loket", 0.08],
    ...words.map((clip) => [clip, 0.04]),
  ];
  const spoken = ticket.map((clip) => (clip.startsWith("huruf-") ? clip.slice(6).toUpperCase() : clip));
  const text = `Nomor antrian ${spoken.join(" ")}, silakan menuju loket ${words.join(" ")}`;
  return { clips, text };
}

/** The clips a screen needs: phrases, digits, number words and the letters of its prefixes. */
export function clipNames(letters) {
  return [...PHRASES, ...DIGITS, ...NUMBER_WORDS, ...letters.map((l) => `huruf-${l.toLowerCase()}`)];
}

export class Announcer {
  constructor({ letters = [], onState = () => {} } = {}) {
    this.onState = onState;
    this.queue = [];
    this.playing = false;
    this.settled = false;
    this.lastEnd = -Infinity;
    this.seen = new Set();
    this.log = (window.__announcements = window.__announcements || []);
    this.ctx = new AudioContext();
    this.buffers = new Map();
    this.ready = this.load(clipNames(letters));
    this.ctx.addEventListener("statechange", () => this.checkState());
    this.ctx.resume().catch(() => {});
    setTimeout(() => { this.settled = true; this.checkState(); }, BLOCKED_AFTER_MS);
  }

  async load(names) {
    await Promise.all(names.map(async (name) => {
      try {
        const response = await fetch(new URL(`${name}.ogg`, CLIP_URL));
        if (!response.ok) throw new Error(`${response.status}`);
        this.buffers.set(name, await this.ctx.decodeAudioData(await response.arrayBuffer()));
      } catch (error) {
        console.warn(`voice clip ${name} missing:`, error);  // the other words are still said
      }
    }));
  }

  /** Speak one call or recall, once per event version, after those already waiting. */
  say(version, number, counter) {
    if (this.seen.has(version)) return;
    this.seen.add(version);
    if (this.seen.size > SEEN) this.seen.delete(this.seen.values().next().value);
    const { clips, text } = callScript(number, counter);
    const item = { version, number, counter, text, clips: clips.map(([clip]) => clip), queued: performance.now() };
    this.log.push(item);
    if (this.log.length > KEEP) this.log.shift();
    this.queue.push({ item, clips });
    this.queue.sort((a, b) => a.item.version - b.item.version);  // two counters calling at once
    this.pump();
  }

  /** Forget versions newer than the server's: its database was replaced, versions start again. */
  rebase(version) {
    for (const seen of this.seen) if (seen > version) this.seen.delete(seen);
  }

  /** Let sound play; call it from a tap, the one gesture a browser accepts for it. */
  unlock() {
    if (this.ctx.state !== "running") this.ctx.resume().then(() => this.checkState()).catch(() => {});
  }

  /** Tell the screen whether sound plays; "blocked" only once the browser had its moment to start it. */
  checkState() {
    if (this.ctx.state === "running") {
      this.onState("on");
      this.pump();
    } else if (this.settled) {
      this.onState("blocked");
    }
  }

  async pump() {
    if (this.playing || !this.queue.length || this.ctx.state !== "running") return;
    this.playing = true;
    await this.ready;
    const next = this.queue.shift();
    if (performance.now() - next.item.queued > STALE_MS) {
      next.item.skipped = "stale";
    } else {
      await this.play(next.item, next.clips);
    }
    this.playing = false;
    this.pump();
  }

  /** Schedule the clips back to back; resolve when the last has ended (or should have). */
  play(item, clips) {
    return new Promise((resolve) => {
      const lead = performance.now() - this.lastEnd < BETWEEN_S * 1000 ? BETWEEN_S : LEAD_S;
      let at = this.ctx.currentTime + lead;
      const sources = [];
      item.ended = 0;
      item.start = performance.now() + lead * 1000;
      for (const [name, pause] of clips) {
        const buffer = this.buffers.get(name);
        if (!buffer) continue;
        const source = this.ctx.createBufferSource();
        source.buffer = buffer;
        source.connect(this.ctx.destination);
        source.addEventListener("ended", () => { item.ended += 1; });
        source.start(at);
        sources.push(source);
        at += buffer.duration + pause;
      }
      const done = () => {
        if (item.end !== undefined) return;
        clearTimeout(watchdog);
        item.end = this.lastEnd = performance.now();
        resolve();
      };
      // the last clip's `ended` closes the announcement; a stalled audio device must not stop the queue
      const total = (at - this.ctx.currentTime) * 1000;
      const watchdog = setTimeout(done, total + 3000);
      if (sources.length) sources[sources.length - 1].addEventListener("ended", done);
      else done();
    });
  }
}
