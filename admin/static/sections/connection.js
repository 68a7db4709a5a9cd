/**
 * The live channel of this page. It only says *when* to ask the admin API again: the
 * caller's handlers decide what to load for a snapshot, a `queue` event, print progress,
 * changed notices, and a reconnect (whatever happened while away).
 */
import { connectLive } from "../../js/live.js";
import { $ } from "../../js/words.js";
import { root } from "../page.js";

const OFFLINE_NOTICE_MS = 1500;

export function createConnection({ onSnapshot, onQueueEvent, onPrint, onNotices, onBack }) {
  let live = null;
  let offlineTimer = null;

  function start() {
    stop();  // it joined the staff room with the cookie of its time: connect anew
    live = connectLive({ onState: onSnapshot, onEvent: onQueueEvent, onPrint: () => onPrint(), onConnection });
    live.socket.on("notices", onNotices);
  }

  function stop() {
    if (live) live.socket.disconnect();
    live = null;
    root.dataset.live = "off";
  }

  function onConnection(connected) {
    root.dataset.live = connected ? "up" : "down";
    clearTimeout(offlineTimer);
    if (connected) {
      $("link").hidden = true;
      onBack();
    } else {
      offlineTimer = setTimeout(() => { $("link").hidden = false; }, OFFLINE_NOTICE_MS);
    }
  }

  return { start, stop };
}
