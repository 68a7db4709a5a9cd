/**
 * The live channel, shared by the pages: one Socket.IO connection that keeps the
 * page's copy of the public queue state in step with the server (SPEC "Live updates").
 *
 *   import { connectLive } from "/static/js/live.js";
 *   const live = connectLive({
 *     auth: { kiosk: "lobby" },          // optional: a kiosk joins its room (print events)
 *     onState(snapshot) {},              // the whole /api/state snapshot: on every (re)connect and after a gap
 *     onEvent(event) {},                 // each `queue` event {version, event, ticket}, once, in version order
 *     onPrint(job) {},                   // print-job progress {id, kind, status, number, ...}: kiosk and staff only
 *     onConnection(connected) {},        // true on (re)connect, false when the connection drops
 *   });
 *   live.sync();      // ask for a fresh snapshot (e.g. after a `mode` event: events carry no mode details)
 *   live.version();   // the last version applied, or null before the first snapshot
 *   live.socket;      // the Socket.IO socket, for page-specific events (`watch`, `ticket`)
 *
 * `version` rises by one per change. An event older than the snapshot is dropped; an
 * event after a gap is held, and `sync` is emitted: its acknowledgement is the snapshot,
 * after which the held events still newer than it are applied in order.
 */
import { io } from "../vendor/socket.io/socket.io.esm.min.js";

const SYNC_TIMEOUT_MS = 5000;

/**
 * Several server processes (the page says so in <meta name="antrian-live-transport">) keep a
 * long-polling session only where it began: the pages then go straight to a websocket.
 */
export function transportOptions() {
  const only = document.querySelector('meta[name="antrian-live-transport"]')?.content;
  return only ? { transports: [only] } : {};
}
const SYNC_RETRY_MS = 2000;

export function connectLive(handlers = {}) {
  const on = { onState() {}, onEvent() {}, onPrint() {}, onConnection() {}, ...handlers };
  // handlers.socketOptions: socket.io-client options, e.g. a wall screen's faster reconnection
  const socket = io({ ...transportOptions(), ...(handlers.socketOptions || {}), auth: handlers.auth || {} });
  let version = null;   // last version applied; null until the first snapshot
  let syncing = false;
  let held = [];        // events that arrived during a sync or after a gap

  function takeSnapshot(snapshot) {
    version = snapshot.version;
    on.onState(snapshot);
    const later = held.filter((e) => e.version > version).sort((a, b) => a.version - b.version);
    held = [];
    later.forEach(receive);
  }

  function receive(event) {
    if (syncing || version === null) {
      held.push(event);
    } else if (event.version <= version) {
      // already part of the snapshot
    } else if (event.version > version + 1) {
      held.push(event);
      sync();
    } else {
      version = event.version;
      on.onEvent(event);
    }
  }

  function sync() {
    if (syncing || !socket.connected) return;
    syncing = true;
    socket.timeout(SYNC_TIMEOUT_MS).emit("sync", {}, (err, snapshot) => {
      syncing = false;
      if (!err && snapshot && typeof snapshot.version === "number") {
        takeSnapshot(snapshot);
      } else {
        setTimeout(sync, SYNC_RETRY_MS);  // no answer: try again while connected
      }
    });
  }

  socket.on("state", takeSnapshot);
  socket.on("queue", receive);
  socket.on("print", (job) => on.onPrint(job));
  // A (re)connect needs no sync: the server sends `state` on every connect, and a second
  // snapshot per screen would only double the load when a restarted server meets them all.
  socket.on("connect", () => on.onConnection(true));
  socket.on("disconnect", () => on.onConnection(false));
  socket.on("connect_error", () => on.onConnection(false));

  return { socket, sync, version: () => version };
}
