/**
 * The live channel of the console: every `queue` event (and every snapshot) asks for a
 * desk refresh, each snapshot goes to onSnapshot (a `mode` event asks for a fresh one: the
 * services postponed today may have changed), print news goes to the slip, and a lost
 * connection shows the offline banner after a moment. It is kept across sign-outs and
 * connected again on sign-in.
 */
import { connectLive } from "../../js/live.js";
import { $ } from "../../js/words.js";
import { root } from "../page.js";

const OFFLINE_NOTICE_MS = 1500;  // a blink of a reconnect is not worth a red banner

export function createConnection({ signedIn, onChange, onPrint, onSnapshot }) {
  let live = null;
  let connected = false;
  let offlineTimer = null;

  function start() {
    if (live) {
      if (!live.socket.connected) live.socket.connect();
      return;
    }
    live = connectLive({
      onState: (snapshot) => { onSnapshot(snapshot); onChange(); },
      onEvent: (event) => { if (event.event === "mode") live.sync(); else onChange(); },
      onPrint,
      onConnection,
    });
  }

  function stop() {
    connected = false;
    clearTimeout(offlineTimer);
    $("link").hidden = true;
    root.dataset.live = "off";
    if (live) live.socket.disconnect();  // it joined the staff room with the old cookie
  }

  function onConnection(up) {
    connected = up;
    root.dataset.live = up ? "up" : "down";
    clearTimeout(offlineTimer);
    if (up) $("link").hidden = true;
    else if (signedIn()) offlineTimer = setTimeout(showOffline, OFFLINE_NOTICE_MS);
  }

  function showOffline() {
    $("link").hidden = connected || !signedIn();
  }

  return { start, stop, connected: () => connected };
}
