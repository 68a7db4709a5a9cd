/**
 * Who works at which counter: the login, the choice of counter (remembered on this PC),
 * the sign-out, the bar, and which screen is shown. A lost session leads back to the
 * login; the ticket in hand stays called/serving on the server, and the login says so.
 */
import { focusLogin, LOGIN_MISSING, remember, showLoginForm, stored, UNREACHABLE } from "../../js/staff.js";
import { $ } from "../../js/words.js";
import { counterName, root } from "../page.js";

const STORE = { counter: "antrian.counter.id", user: "antrian.counter.user" };

/** dialogs: the sections whose dialogs close when the desk is left (each has close()). */
export function createSession({ client, buttons, desk, note, connection, dialogs }) {
  let session = null;
  let counterId = null;

  function show(screen, focusId) {
    for (const name of ["login", "choose", "desk"]) $(name).hidden = name !== screen;
    $("loading").hidden = true;
    root.dataset.screen = screen;
    if (screen !== "desk" && $("transfer").open) $("transfer").close();
    if (screen !== "desk") for (const dialog of dialogs) dialog.close();
    renderBar();
    buttons.update();
    if (focusId) $(focusId).focus();
  }

  function renderBar() {
    const onDesk = root.dataset.screen === "desk";
    $("who").hidden = !session;
    if (session) $("who").textContent = session.role === "admin" ? `${session.user} (admin)` : session.user;
    $("logout").hidden = !session;
    $("switch-counter").hidden = !session || !onDesk || session.counters.length < 2;
    if ($("checkin-open")) $("checkin-open").hidden = !session || !onDesk;
    $("visit-open").hidden = !session || !onDesk;  // every staff member may issue a desk ticket
    $("bar-counter").textContent = onDesk ? ` · ${counterName(counterId)}` : "";
    document.title = onDesk ? `${counterName(counterId)} — Konsol Loket` : "Konsol Loket";
  }

  async function boot() {
    const answer = await client.http("GET", "/api/session");
    if (answer.ok) return signedIn(answer.body);
    showLogin(answer.status === 0 ? UNREACHABLE : null);
  }

  function showLogin(problem, notice) {
    showLoginForm(problem, notice, stored(STORE.user));
    show("login");
    focusLogin();
  }

  async function login(event) {
    event.preventDefault();
    if (buttons.busy()) return;
    const answer = await client.sendLogin(buttons.setBusy);
    if (!answer) return showLogin(LOGIN_MISSING);
    if (!answer.ok) {
      return showLogin(answer.status === 0 ? UNREACHABLE : [answer.body.message || `HTTP ${answer.status}`]);
    }
    $("login-note").hidden = true;
    signedIn(answer.body);
  }

  /** A fresh session from the server (e.g. a new CSRF token). */
  function refreshed(fresh) {
    const otherUser = session && fresh.user !== session.user;
    session = fresh;
    if (otherUser) return signedIn(fresh);  // another tab of this browser logged in as someone else
    renderBar();
  }

  function signedIn(fresh) {
    session = fresh;
    remember(STORE.user, fresh.user);
    $("login-error").hidden = true;
    connection.start();
    const remembered = Number(stored(STORE.counter));
    if (fresh.counters.includes(remembered)) openCounter(remembered);
    else if (fresh.counters.length === 1) openCounter(fresh.counters[0]);
    else showChoose();
  }

  function showChoose() {
    const mine = session ? session.counters : [];
    for (const button of root.querySelectorAll("[data-action=choose]")) {
      button.hidden = !mine.includes(Number(button.dataset.counter));
      button.setAttribute("aria-current", String(Number(button.dataset.counter) === counterId));
    }
    show("choose", "choose-title");
  }

  function openCounter(id) {
    counterId = id;
    remember(STORE.counter, id);
    desk.reset();  // whatever was on its way belongs to the other counter
    note.clear();
    desk.render();
    show("desk");
    desk.refresh();
  }

  async function logout() {
    const held = desk.ticket();
    const answer = await client.api("POST", "/api/logout");
    if (!answer.ok && answer.status !== 401) return note.refused(answer);
    signedOut();
    showLogin(null, held ? keptWords(held) : ["Anda sudah keluar.", "You are signed out."]);
  }

  function keptWords(ticket) {
    const at = counterName(ticket.counter || counterId);
    return [`Tiket ${ticket.number} tetap tercatat di ${at} dan tampil lagi setelah masuk.`,
            `Ticket ${ticket.number} stays at ${at} and shows again after you sign in.`];
  }

  /** The server said 401: back to the login, keeping the counter and the user's name. */
  function lost(message) {
    if (!session) return;
    const held = desk.ticket();
    signedOut();
    const words = [message || "Sesi Anda berakhir. Silakan masuk kembali.", "Your session has ended. Please sign in again."];
    if (held) {
      const [id, en] = keptWords(held);
      words[0] += ` ${id}`;
      words[1] += ` ${en}`;
    }
    showLogin(null, words);
  }

  function signedOut() {
    session = null;
    desk.reset();
    connection.stop();  // it joined the staff room with the old cookie
    desk.render();
  }

  return {
    current: () => session, counterId: () => counterId,
    boot, login, refreshed, lost, showChoose, openCounter, logout,
  };
}
