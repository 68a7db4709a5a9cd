/**
 * What the phone page can do to catch a visitor's attention (issue 21), each only where this
 * phone allows it: vibrate, play a short tone (made with WebAudio: nothing to download, and no
 * audio format a phone may lack), and show a system notification once the visitor allowed one.
 * Phones allow sound and vibration only after a touch on the page, and the permission may be
 * asked only upon one: `unlock()` and `askPermission()` run when the visitor presses the alert
 * button, never on load.
 */

const WORKER = new URL("phone-sw.js", import.meta.url);
// Tones (Hz, seconds from the start) of each signal: a rising pair to confirm, a chime when near,
// a longer call when called.
const TONES = {
  ready: [[660, 0], [880, 0.16]],
  near: [[660, 0], [880, 0.25], [660, 0.6], [880, 0.85]],
  called: [[523, 0], [659, 0.2], [784, 0.4], [1047, 0.6], [523, 1.1], [659, 1.3], [784, 1.5], [1047, 1.7]],
};

let audio = null;
let registration = null;

/** "granted", "denied", "default" (not decided yet) or "unsupported" (no notifications at all). */
export function notifyState() {
  return "Notification" in window ? Notification.permission : "unsupported";
}

export const canVibrate = typeof navigator.vibrate === "function";

/** Ask the visitor once whether the page may notify them; the answer as notifyState() says it. */
export function askPermission() {
  if (!("Notification" in window)) return Promise.resolve("unsupported");
  if (Notification.permission !== "default") return Promise.resolve(Notification.permission);
  return new Promise((resolve) => {
    const asked = Notification.requestPermission(resolve);  // older Safari answers through the callback
    if (asked && asked.then) asked.then(resolve, () => resolve(Notification.permission));
  }).then(() => notifyState());
}

/** Open the sound with the visitor's touch (phones keep it shut until then) and play the ready tone. */
export function unlock() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!audio && Context) audio = new Context();
  if (audio && audio.state === "suspended") audio.resume();
  play("ready");
}

/** Play one signal: short sine tones, soft at the edges so they do not click. */
export function play(signal) {
  if (!audio) return;
  const start = audio.currentTime + 0.05;
  for (const [frequency, offset] of TONES[signal]) {
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.6, start + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.22);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(start + offset);
    oscillator.stop(start + offset + 0.24);
  }
}

export function vibrate(pattern) {
  if (canVibrate) navigator.vibrate(pattern);
}

/** Get the small service worker ready once notifications are allowed: Chrome on Android shows a
 * page's notifications only through one. */
export function prepareNotifications() {
  if (!registration && notifyState() === "granted" && "serviceWorker" in navigator) {
    registration = activeWorker().catch(() => null);
  }
}

async function activeWorker() {
  const found = await navigator.serviceWorker.register(WORKER);
  const worker = found.installing || found.waiting;
  if (!found.active && worker) {
    await new Promise((resolve, reject) => worker.addEventListener("statechange", () => {
      if (worker.state === "activated") resolve();
      else if (worker.state === "redundant") reject(new Error("service worker redundant"));
    }));
  }
  return found;
}

/** Show a system notification where allowed; whether one was shown. A tap on it brings the page back. */
export async function notify(title, options) {
  if (notifyState() !== "granted") return false;
  const settings = { ...options, data: { url: location.pathname } };
  try {
    const note = new Notification(title, settings);
    note.onclick = () => { window.focus(); note.close(); };
    return true;
  } catch (err) {
    if (!(err instanceof TypeError)) return false;  // TypeError: this browser wants a service worker
  }
  prepareNotifications();
  const ready = registration && await registration;
  if (!ready) return false;
  try {
    await ready.showNotification(title, settings);
    return true;
  } catch {
    return false;
  }
}
