/**
 * What the staff pages (the counter console and the supervisor's page) share: requests to
 * the staff API with the session's CSRF token, the login form (login_form in
 * templates/_macros.html), and small choices remembered on this PC.
 *
 *   import { createStaffClient, showLoginForm, focusLogin, UNREACHABLE } from "../js/staff.js";
 *   const client = createStaffClient({
 *     getSession: () => state.session,       // its csrf_token goes with every change
 *     setSession(session) {},                // a fresh session, fetched after a stale CSRF token
 *     onLoggedOut(message) {},               // an api() request was answered 401
 *     onResponse(response) {},               // optional: every HTTP response (e.g. its Date header)
 *     onAnswer(answer) {},                   // optional: every other api() answer
 *     answerSessionFailure: false,           // see api() below
 *   });
 *   await client.http("GET", "/api/session");   // {ok, status, body}; status 0: no answer
 *   await client.api("POST", "/api/logout");     // the same, with the session handling
 *   await client.sendLogin(setBusy);             // the login form sent, or null if a field is empty
 *   setInterval(client.keepSession, SESSION_EVERY_MS);
 */
import { $, say } from "./words.js";

const REQUEST_TIMEOUT_MS = 10000;
export const SESSION_EVERY_MS = 4 * 60 * 1000;  // keeps the server session alive, picks up its CSRF token

export const UNREACHABLE = ["Server tidak dapat dihubungi. Periksa jaringan, lalu coba lagi.",
                            "Cannot reach the server. Check the network, then try again."];
export const LOGIN_MISSING = ["Isi nama pengguna dan kata sandi.", "Enter your username and password."];

export function createStaffClient({ getSession, setSession, onLoggedOut, onResponse = () => {},
                                    onAnswer = () => {}, answerSessionFailure = false }) {
  /** One request: JSON both ways, the CSRF token on a change, no answer after REQUEST_TIMEOUT_MS. */
  async function http(method, path, body) {
    const headers = { Accept: "application/json" };
    const init = { method, headers, credentials: "same-origin", signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
    if (method !== "GET") {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body ?? {});
      const session = getSession();
      if (session) headers["X-CSRFToken"] = session.csrf_token;
    }
    try {
      const response = await fetch(path, init);
      onResponse(response);
      const data = await response.json().catch(() => ({}));
      return { ok: response.ok, status: response.status, body: data };
    } catch {
      return { ok: false, status: 0, body: {} };  // unreachable, or no answer in time
    }
  }

  /**
   * A staff request: a stale CSRF token is fetched again once; a lost session leads to the login.
   * When the fresh token cannot be had, the answer is that failure if it is a 401, or whatever
   * it was with answerSessionFailure; otherwise the first refusal.
   */
  async function api(method, path, body) {
    let answer = await http(method, path, body);
    if (answer.status === 403 && answer.body.error === "csrf") {
      const session = await http("GET", "/api/session");
      if (session.ok) {
        setSession(session.body);
        answer = await http(method, path, body);  // refused before acting: safe to send again
      } else if (session.status === 401 || answerSessionFailure) {
        answer = session;
      }
    }
    if (answer.status === 401) onLoggedOut(answer.body.message);
    else onAnswer(answer);
    return answer;
  }

  /** Send the login form; null, unsent, when a field is empty. The password is cleared once accepted. */
  async function sendLogin(setBusy) {
    const username = $("username").value.trim();
    const password = $("password").value;
    if (!username || !password) return null;
    setBusy(true);
    const answer = await http("POST", "/api/login", { username, password });
    setBusy(false);
    if (answer.ok) $("password").value = "";
    return answer;
  }

  /** While signed in, ask for the session again: it stays alive, and its CSRF token is fresh. */
  async function keepSession() {
    if (!getSession()) return;
    const answer = await api("GET", "/api/session");
    if (answer.ok) setSession(answer.body);
  }

  return { http, api, sendLogin, keepSession };
}

/** Fill in the login form: a problem and a notice ([id, en] words, or null), the last user's name. */
export function showLoginForm(problem, notice, user) {
  $("login-note").hidden = !notice;
  if (notice) say($("login-note"), ...notice);
  $("login-error").hidden = !problem;
  if (problem) say($("login-error"), ...problem);
  if (user && !$("username").value) $("username").value = user;
}

/** Focus where typing goes on, once the login screen is shown: the password if the name is there. */
export function focusLogin() {
  ($("username").value ? $("password") : $("username")).focus();
}

/** Keep a small choice (language, counter, user name) on this PC; null forgets it. */
export function remember(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, String(value));
  } catch {
    // storage off: the page asks again next time
  }
}

/** A choice kept on this PC, or null. */
export function stored(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** The server's time at the answer: its X-Server-Time (the queue's clock, to the ms), else its Date. */
export function serverTime(response) {
  const precise = Date.parse(response.headers.get("X-Server-Time") || "");
  if (!Number.isNaN(precise)) return precise;
  return Date.parse(response.headers.get("Date") || "") + 500;  // whole seconds: the middle of one
}
