/**
 * The note under the actions: what the last action did, or why it was refused. A
 * confirmation fades; a refusal stays until the next one. `origin` marks a note that a
 * later success of the same kind may clear (e.g. "refresh": the desk could not load).
 */
import { UNREACHABLE } from "../../js/staff.js";
import { $, say } from "../../js/words.js";

const NOTE_MS = 20000;  // confirmations fade; refusals stay until the next action

export function createNote() {
  let timer = null;

  function show(kind, id, en, origin = "") {
    clearTimeout(timer);
    $("note").dataset.kind = kind;
    $("note").dataset.origin = origin;
    say($("note"), id, en);
    if (kind !== "error") timer = setTimeout(clear, NOTE_MS);
  }

  function clear() {
    $("note").dataset.kind = "";
    $("note").dataset.origin = "";
    $("note").replaceChildren();
  }

  /** A refused (or unanswered) request: the server's own sentence. */
  function refused(answer, origin = "") {
    if (answer.status === 0) return show("error", ...UNREACHABLE, origin);
    const message = answer.body.message || `Permintaan ditolak (HTTP ${answer.status}).`;
    show("error", message, undefined, origin);
  }

  return {
    show, clear, refused,
    kind: () => $("note").dataset.kind,
    origin: () => $("note").dataset.origin,
  };
}
