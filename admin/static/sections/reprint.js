/**
 * The ticket lookup: find today's ticket by its number, see how it came (kiosk, booking,
 * desk or phone) and where it stands; send it to its kiosk's printer again, or put a
 * visitor who missed the call back in the queue while the office's requeue time lasts.
 * onSent() is told when a reprint went to a printer (its progress shows there).
 */
import { $, say } from "../../js/words.js";
import { serviceBoth, STATUS_WORDS, timeBoth } from "../format.js";
import { KIOSKS, note, problem, serverNow } from "../page.js";

export function createReprint({ api, onSent }) {
  let found = null;      // the ticket found, to be reprinted or requeued
  let lateTimer = null;  // hides the requeue button when its time is up

  async function find(event) {
    event.preventDefault();
    const number = $("reprint-number").value.trim().toUpperCase();
    forget();
    if (!/^[A-Z]\d{1,6}$/.test(number)) {
      return note("reprint-note", "error", ["Tulis nomor tiket seperti B001.", "Write a ticket number like B001."]);
    }
    const answer = await api("GET", `/api/tickets/lookup?number=${encodeURIComponent(number)}`);
    if (!answer.ok) return note("reprint-note", "error", problem(answer));
    note("reprint-note", "", null);
    show(answer.body.ticket);
    (requeueable(found) ? $("requeue-button") : $("reprint-button")).focus();
  }

  function show(t) {
    found = t;
    clearTimeout(lateTimer);
    const [serviceId, serviceEn] = serviceBoth(t.service);
    const [statusId, statusEn] = STATUS_WORDS[t.status] || [t.status, t.status];
    say($("reprint-ticket"), `${t.number} · ${serviceId} · ${statusId}`, `${t.number} · ${serviceEn} · ${statusEn}`);
    say($("reprint-source"), ...sourceBoth(t));
    showRequeue(t);
    $("reprint-button").hidden = !printable(t);
    $("reprint-found").hidden = false;
  }

  /** A no-show's requeue: the button while there is time (it goes when the time is up), else why not. */
  function showRequeue(t) {
    const why = $("requeue-why");
    const can = requeueable(t);
    $("requeue-button").hidden = !can;
    $("reprint-button").classList.toggle("primary", !can);
    why.hidden = t.status !== "no_show";
    if (why.hidden) return;
    say(why, ...requeueBoth(t, can));
    if (can) lateTimer = setTimeout(() => showRequeue(t), Date.parse(t.requeue_until) - serverNow() + 500);
  }

  function forget() {
    clearTimeout(lateTimer);
    $("reprint-found").hidden = true;
    found = null;
  }

  async function reprint(button) {
    const t = found;
    if (!t) return;
    button.disabled = true;
    const answer = await api("POST", `/api/tickets/${t.id}/reprint`);
    button.disabled = false;
    if (!answer.ok) return note("reprint-note", "error", problem(answer));
    const kiosk = kioskName(t.kiosk);
    note("reprint-note", "ok", [`${t.number} dikirim ke printer ${kiosk}.`, `${t.number} sent to the printer at ${kiosk}.`]);
    forget();
    onSent();
  }

  async function requeue(button) {
    const t = found;
    if (!t) return;
    button.disabled = true;
    const answer = await api("POST", `/api/tickets/${t.id}/requeue`);
    button.disabled = false;
    if (!answer.ok) {
      if (answer.status === 409) button.hidden = true;  // the server says it cannot be: not again
      return note("reprint-note", "error", problem(answer));
    }
    const back = answer.body.ticket;
    show(back);
    note("reprint-note", "ok", backBoth(back));
  }

  return { find, reprint, requeue };
}

function kioskName(id) {
  return KIOSKS.get(id)?.name || id;
}

/** Whether the ticket has a kiosk printer to go to: not one from a phone, a desk's screen or a preview kiosk. */
function printable(t) {
  const kiosk = KIOSKS.get(t.kiosk);
  return Boolean(kiosk) && kiosk.printer !== "preview";
}

/** Whether a no-show may still go back in the queue, by the server's clock. */
function requeueable(t) {
  return t.status === "no_show" && Boolean(t.requeue_until) && Date.parse(t.requeue_until) > serverNow();
}

/** How the ticket came, and when: "Diambil di Kios lobi, 09.15 WIB" / "Issued at the desk by siti, 09:15 WIB". */
function sourceBoth(t) {
  const [atId, atEn] = timeBoth(t.issued_at);
  const kiosk = KIOSKS.get(t.kiosk)?.name || null;  // a desk's or a phone's ticket has none
  switch (t.source || (t.booked ? "booked" : "walk_in")) {
    case "booked":
      return kiosk ? [`Booking, check-in di ${kiosk}, ${atId}`, `Booked, checked in at ${kiosk}, ${atEn}`]
        : [`Booking, check-in ${atId}`, `Booked, checked in ${atEn}`];
    case "desk": {
      const [printedId, printedEn] = kiosk ? [`, dicetak di ${kiosk}`, `, printed at ${kiosk}`] : ["", ""];
      return [`Dibuat di loket oleh ${t.issued_by || "petugas"}, ${atId}${printedId}`,
              `Issued at the desk by ${t.issued_by || "staff"}, ${atEn}${printedEn}`];
    }
    case "phone":
      return [`Diambil lewat ponsel, ${atId}`, `Taken on a phone, ${atEn}`];
    default:
      return [`Diambil di ${kiosk || t.kiosk}, ${atId}`, `Taken at ${kiosk || t.kiosk}, ${atEn}`];
  }
}

/** A no-show's requeue in words: until when it can go back in the queue, or why it cannot. */
function requeueBoth(t, can) {
  const [sinceId, sinceEn] = timeBoth(t.ended_at);
  const [where, whereEn] = t.counter_name ? [` di ${t.counter_name}`, ` at ${t.counter_name}`] : ["", ""];
  const missed = [`Tidak hadir saat dipanggil${where}, ${sinceId}.`, `Missed the call${whereEn}, ${sinceEn}.`];
  if (!t.requeue_until) {
    return [`${missed[0]} Hanya tiket hari ini yang bisa antre lagi.`, `${missed[1]} Only today's tickets can be requeued.`];
  }
  const [untilId, untilEn] = timeBoth(t.requeue_until);
  if (can) return [`${missed[0]} Bisa antre lagi sampai ${untilId}.`, `${missed[1]} Can be requeued until ${untilEn}.`];
  return [`${missed[0]} Batas antre lagi (${untilId}) sudah lewat: pengunjung perlu mengambil nomor baru.`,
          `${missed[1]} The time to requeue it (until ${untilEn}) is over: the visitor needs a new number.`];
}

/** "B001 kembali ke antrean, posisi 3 (3 orang di depannya)." */
function backBoth(t) {
  const p = t.position;
  if (p === 0) return [`${t.number} kembali ke antrean, posisi 0: dipanggil berikutnya.`,
                       `${t.number} is back in the queue, position 0: next to be called.`];
  return [`${t.number} kembali ke antrean, posisi ${p} (${p} orang di depannya).`,
          `${t.number} is back in the queue, position ${p} (${p} ${p === 1 ? "person" : "people"} ahead).`];
}
