/**
 * Who is signed in: the login, the refusal shown to a staff (non-admin) session, the
 * sign-out, and which of the three screens is shown. It owns the session and the staff
 * client whose requests carry its CSRF token; the other sections use that client.
 */
import {
  createStaffClient, focusLogin, LOGIN_MISSING, remember, showLoginForm, stored, UNREACHABLE,
} from "../../js/staff.js";
import { $, say } from "../../js/words.js";
import { noteResponse, problem, root } from "../page.js";

const USER_KEY = "antrian.admin.user";

/** onSignedIn(): an admin is in, show the board; onSignedOut(): the board is left (stop listening). */
export function createSession({ onSignedIn, onSignedOut }) {
  let session = null;

  /** Admin requests: a lost session leads to the login, a staff session to the refusal. */
  const client = createStaffClient({
    getSession: () => session,
    setSession: (fresh) => { session = fresh; },
    onLoggedOut: lost,
    onResponse: noteResponse,
    onAnswer(answer) {
      if (answer.status === 403 && answer.body.error === "admin_only") refusedHere(session);
    },
    answerSessionFailure: true,  // no fresh token: say why (e.g. unreachable), not the stale-token refusal
  });
  const { http } = client;

  function show(screen, focusId) {
    for (const name of ["login", "refused", "board"]) $(name).hidden = name !== screen;
    $("loading").hidden = true;
    root.dataset.screen = screen;
    $("who").hidden = screen !== "board";
    $("logout").hidden = screen !== "board";
    if (session) $("who").textContent = `${session.user} (admin)`;
    if (focusId) $(focusId).focus();
  }

  async function boot() {
    const answer = await http("GET", "/api/session");
    if (!answer.ok) return showLogin(answer.status === 0 ? UNREACHABLE : null);
    if (answer.body.role !== "admin") return refusedHere(answer.body);
    signedIn(answer.body);
  }

  function showLogin(problemWords, noticeWords) {
    showLoginForm(problemWords, noticeWords, stored(USER_KEY));
    show("login");
    focusLogin();
  }

  /** A staff (non-admin) session opened this page: say so, and offer a way out. */
  function refusedHere(staff) {
    onSignedOut();
    say($("refused-text"), ...adminsOnly(staff));
    show("refused", "refused-title");
  }

  async function login(event) {
    event.preventDefault();
    const answer = await client.sendLogin((busy) => { $("login-button").disabled = busy; });
    if (!answer) return showLogin(LOGIN_MISSING);
    if (!answer.ok) return showLogin(problem(answer));
    if (answer.body.role !== "admin") {
      // The session was opened here only to reach this page: do not leave it behind.
      session = answer.body;
      await http("POST", "/api/logout");
      session = null;
      return showLogin(adminsOnly(answer.body));
    }
    remember(USER_KEY, answer.body.user);
    signedIn(answer.body);
  }

  async function logout() {
    await http("POST", "/api/logout");
    session = null;
    onSignedOut();
    showLogin(null, ["Anda sudah keluar.", "You have signed out."]);
  }

  function lost(message) {
    if (!session) return;
    session = null;
    onSignedOut();
    showLogin(message ? [message] : null, ["Sesi berakhir. Silakan masuk kembali.", "The session ended. Please sign in again."]);
  }

  function signedIn(admin) {
    session = admin;
    $("login-error").hidden = true;
    show("board");
    onSignedIn();
  }

  return { client, boot, login, logout };
}

function adminsOnly(session) {
  const user = session ? session.user : "";
  return [`Halaman ini hanya untuk admin. Akun ${user} adalah akun petugas loket: gunakan Konsol Loket.`,
          `This page is for admins only. ${user} is a counter staff account: use the counter console.`];
}
