/**
 * The service calendar (issue 18): every dated window, the config's (read-only) and the
 * office's own, current and upcoming first and past ones folded away; a form that adds a
 * closed day, an emergency-only period or a postponement of services (a mode and
 * postponements may combine); and deleting one of the office's windows after a
 * confirmation. Another admin's change arrives as a `mode` event: the list is loaded again.
 */
import { $, bi, element, say } from "../../js/words.js";
import { daysBetween, momentBoth, MODE_WORDS, postponedBoth, spanBoth, windowDoesBoth } from "../format.js";
import { note, problem, root } from "../page.js";

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** currentDay(): today's service day as far as the page knows it, or undefined before it knows. */
export function createCalendar({ api, currentDay }) {
  let windows = [];
  let untilFollows = true;  // "until" repeats "from" until someone picks another day
  let confirming = null;    // the window whose deletion waits for its confirmation
  let shownDay = null;      // the day the lists were sorted for

  async function load() {
    const answer = await api("GET", "/api/windows");
    if (!answer.ok) return note("calendar-note", "error", problem(answer));
    windows = answer.body.windows;
    show();
  }

  /** Draw the lists again; a confirmation being asked and the focus stay where they were. */
  function show() {
    const focused = focusedButton();
    showLists(windows, currentDay() || "");
    const asking = confirming && itemFor(confirming);
    if (asking) asking.querySelector(".window-confirm").hidden = false;
    else confirming = null;
    const button = focused && itemFor(focused.window)?.querySelector(`[data-action="${focused.action}"]`);
    button?.focus({ preventScroll: true });
  }

  /** Today's date is (again) known: the form starts there, and windows move to the past. */
  function onToday(day) {
    if (day === shownDay) return;  // told again at every refresh of today's figures
    shownDay = day;
    if (!$("window-from").value) resetDates(day);
    show();
  }

  function resetDates(day) {
    $("window-from").value = day || "";
    $("window-until").value = day || "";
    untilFollows = true;
    showSpan();
  }

  function onFrom() {
    const from = $("window-from").value;
    if (untilFollows || !$("window-until").value) $("window-until").value = from;
    showSpan();
  }

  function onUntil() {
    untilFollows = $("window-until").value === $("window-from").value;
    showSpan();
  }

  async function add(event) {
    event.preventDefault();
    const button = $("window-add");
    button.disabled = true;
    const answer = await api("POST", "/api/windows", formBody());
    button.disabled = false;
    if (!answer.ok) return note("window-note", "error", problem(answer));
    clearForm();
    const added = answer.body.window;
    const [daysId, daysEn] = spanBoth(added);
    const [doesId, doesEn] = windowDoesBoth(added);
    note("window-note", "ok", [`Ditambahkan: ${doesId}, ${daysId} (${added.reference}). Kios dan layar sudah mengikuti.`,
                               `Added: ${doesEn}, ${daysEn} (${added.reference}). Kiosks and displays follow it now.`]);
    await load();
  }

  function clearForm() {
    $("window-form").reset();
    resetDates(currentDay());
  }

  function askDelete(button) {
    cancelAllDeletes();
    confirming = itemOf(button).dataset.window;
    const confirm = itemOf(button).querySelector(".window-confirm");
    confirm.hidden = false;
    confirm.querySelector("[data-action=delete-window-confirm]").focus({ preventScroll: true });
  }

  function cancelDelete(button) {
    confirming = null;
    const item = itemOf(button);
    item.querySelector(".window-confirm").hidden = true;
    item.querySelector("[data-action=delete-window]").focus({ preventScroll: true });
  }

  function cancelAllDeletes() {
    confirming = null;
    for (const el of root.querySelectorAll(".window-confirm")) el.hidden = true;
  }

  async function confirmDelete(button) {
    const item = itemOf(button);
    button.disabled = true;
    const answer = await api("DELETE", `/api/windows/${encodeURIComponent(item.dataset.window)}`);
    button.disabled = false;
    if (!answer.ok) return itemNote(item, problem(answer));
    confirming = null;
    const gone = windows.find((w) => String(w.id) === item.dataset.window);
    if (gone) {
      const [daysId, daysEn] = spanBoth(gone);
      note("calendar-note", "ok", [`Dihapus: ${gone.reference}, ${daysId}.`, `Deleted: ${gone.reference}, ${daysEn}.`]);
    }
    await load();
  }

  return { load, onToday, onFrom, onUntil, add, askDelete, cancelDelete, confirmDelete, cancelAllDeletes };
}

/** Today and later in date order; past windows, the latest first, under their fold. */
function showLists(windows, today) {
  const past = windows.filter((w) => today && w.until < today).sort(byUntilDescending);
  const ahead = windows.filter((w) => !past.includes(w)).sort(byFrom);
  const items = ahead.map((w) => windowItem(w, today));
  if (!items.length) {
    items.push(element("li", "empty", ...bi("Tidak ada periode hari ini atau sesudahnya.", "No window today or later.")));
  }
  $("calendar-list").replaceChildren(...items);
  $("calendar-past").hidden = !past.length;
  say($("calendar-past-count"), `Sudah lewat (${past.length})`, `Past (${past.length})`);
  $("calendar-past-list").replaceChildren(...past.map((w) => windowItem(w, today)));
}

/** The form's days in words, as a check on the date fields (whose format is the browser's). */
function showSpan() {
  const span = { from: $("window-from").value, until: $("window-until").value };
  const valid = ISO_DAY.test(span.from) && ISO_DAY.test(span.until) && span.from <= span.until;
  if (!valid) return $("window-span").replaceChildren();
  const days = daysBetween(span.from, span.until) + 1;
  const [id, en] = spanBoth(span);
  say($("window-span"), `${id} (${days}\u00a0hari)`, `${en} (${days}\u00a0${days === 1 ? "day" : "days"})`);
}

/** What the form asks for: a mode unless "postpone only", and the services ticked. */
function formBody() {
  const form = $("window-form");
  const mode = form.elements.mode.value;
  const postponed = [...form.querySelectorAll("input[name=postponed]:checked")].map((box) => box.value);
  return { from: $("window-from").value, until: $("window-until").value, ...(mode ? { mode } : {}),
           postponed, reference: $("window-reference").value };
}

function byFrom(a, b) {
  return a.from.localeCompare(b.from) || a.until.localeCompare(b.until);
}

function byUntilDescending(a, b) {
  return b.until.localeCompare(a.until) || b.from.localeCompare(a.from);
}

function windowItem(w, today) {
  const li = element("li", "window");
  Object.assign(li.dataset, { window: String(w.id), source: w.source, mode: w.mode || "", when: whenOf(w, today) });
  li.append(element("div", "window-text", daysOf(w, li.dataset.when === "now"), effectsOf(w),
                    element("p", "window-ref", w.reference || "—"), metaOf(w)));
  if (w.source === "office") li.append(deleteButton(), deleteConfirm(w), element("p", "note window-item-note"));
  return li;
}

/** "now", "ahead" or "past" as of today; "" while today is not known. */
function whenOf(w, today) {
  if (!today) return "";
  if (w.until < today) return "past";
  return w.from <= today ? "now" : "ahead";
}

function daysOf(w, now) {
  const days = element("p", "window-days");
  if (now) days.append(element("span", "window-now", ...bi("Berlaku hari ini", "In force today")), " ");
  days.append(element("strong", "", ...bi(...spanBoth(w))));
  return days;
}

/** The mode it sets and the services it postpones, each written out (not by colour alone). */
function effectsOf(w) {
  const effects = element("p", "window-does");
  if (w.mode) effects.append(element("span", `effect effect-${w.mode}`, ...bi(...MODE_WORDS[w.mode])));
  const postponed = postponedBoth(w);
  if (postponed) effects.append(element("span", "effect effect-postponed", ...bi(...postponed)));
  return effects;
}

function metaOf(w) {
  if (w.source !== "office") {
    return element("p", "window-meta", element("span", "badge badge-config",
                                               ...bi("dari berkas konfigurasi", "from the configuration file")));
  }
  const [atId, atEn] = momentBoth(w.created_at);
  return element("p", "window-meta", ...bi(`Ditambahkan oleh ${w.created_by}, ${atId}`, `Added by ${w.created_by}, ${atEn}`));
}

function actionButton(action, className, words) {
  const button = element("button", className, ...bi(...words));
  button.type = "button";
  button.dataset.action = action;
  return button;
}

function deleteButton() {
  return actionButton("delete-window", "act small danger window-delete", ["Hapus", "Delete"]);
}

function deleteConfirm(w) {
  const box = element("div", "window-confirm", element("p", "window-confirm-question", ...bi(
    `Hapus "${w.reference}"? Kios dan layar langsung mengikuti.`,
    `Delete "${w.reference}"? Kiosks and displays follow at once.`)));
  box.hidden = true;
  box.setAttribute("role", "group");
  box.append(element("div", "confirm-actions",
                     actionButton("delete-window-confirm", "act small primary", ["Ya, hapus", "Yes, delete"]),
                     actionButton("delete-window-cancel", "act small plain", ["Batal", "Cancel"])));
  return box;
}

function itemOf(button) {
  return button.closest("li.window");
}

function itemFor(windowId) {
  return $("calendar").querySelector(`li.window[data-window="${CSS.escape(windowId)}"]`);
}

/** The button of a window's item that has the focus, as {window, action}, or null. */
function focusedButton() {
  const el = document.activeElement;
  const item = el?.closest?.("#calendar li.window");
  return item && el.dataset.action ? { window: item.dataset.window, action: el.dataset.action } : null;
}

function itemNote(item, words) {
  const el = item.querySelector(".window-item-note");
  el.dataset.kind = "error";
  say(el, ...words);
}
