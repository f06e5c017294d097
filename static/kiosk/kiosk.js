// The kiosk web app: pairing, the signing queue (find → confirm → read → sign → done),
// and the outbox that delivers signatures whenever the network allows.
// Texts come translated from the page (kiosk-config), never hard-coded here.

import { fmt, secure, sha256Hex, uuid } from "pakta-kiosk/compat";
import { IdleGuard } from "pakta-kiosk/idle";
import {
  awaitedNow, birthIso, formatBirthInput, renderAwaitedBox, renderBar, signedWhen,
} from "pakta-kiosk/screens";
import { renderPact, resultItem } from "pakta-kiosk/pact";
import { compactStrokes, exportSignature, fitCanvas, guardPad, inkBox } from "pakta-kiosk/pad";
import * as roster from "pakta-kiosk/roster";
import {
  Outbox, addToOutbox, deleteConfig, getConfig, outboxItems, removeItem, setConfig,
} from "pakta-kiosk/outbox";

const config = JSON.parse(document.getElementById("kiosk-config").textContent);
const T = config.texts;
const API = config.apiRoot;
const POLL_MS = 20000;
const SEND_MS = 10000;
const DONE_RETURN_MS = 6000;
const MAX_IDENTITY_TRIES = 3;

// Screens that show a chosen person: the idle guard runs while one of them is up.
const PERSONAL_SCREENS = new Set(["identity", "pact", "sign", "notice"]);

const $ = (id) => document.getElementById(id);

const state = {
  token: null,
  device: null,
  event: null,
  kdf: null,
  // Locked after wrong birth dates: by the server (any tablet) and on this tablet, persisted
  // in IndexedDB (config "locks": employee id -> {at, attempt_id, sent_at}) until the server
  // has heard of it and an officer has unlocked.
  serverLocked: new Set(),
  localLocks: {},
  prepared: [],
  byId: new Map(),
  signed: new Map(), // employee id -> {signed_at, where}
  awaited: [],
  revoked: false,
  closed: false,
  // Unknown until a request has reached the server: the badge never claims more than it knows.
  online: false,
  // The person at the tablet right now; wiped when the kiosk returns to step 1.
  current: null,
};

let pad = null;
let doneTimer = null;
let outbox = null;
let idle = null;

// --- screens -----------------------------------------------------------------------------

function show(name) {
  for (const section of document.querySelectorAll(".screen")) {
    section.classList.toggle("d-none", section.id !== `screen-${name}`);
  }
  document.body.dataset.screen = name;
  window.scrollTo(0, 0);
  if (!idle) return;
  if (PERSONAL_SCREENS.has(name)) {
    if (!idle.running) idle.start(state.event && state.event.kiosk_idle_seconds);
  } else {
    idle.stop();
  }
}

// Nobody touched the tablet with a person chosen: everything about them goes, the kiosk
// returns to the search, and the browser history gains nothing that leads back.
function idleTimeout() {
  home();
  history.replaceState(null, "", window.location.pathname);
  document.body.dataset.idleReturns = String(Number(document.body.dataset.idleReturns || 0) + 1);
}

function resetPerson() {
  // Nothing of the previous signer may stay reachable: clear every field that held them.
  state.current = null;
  clearTimeout(doneTimer);
  $("search-input").value = "";
  $("results").replaceChildren();
  $("search-hint").textContent = "";
  $("identity-name").textContent = "";
  $("birth-date").value = "";
  $("identity-error").textContent = "";
  $("pact").replaceChildren();
  $("agree").checked = false;
  $("agree").disabled = true;
  $("to-sign").disabled = true;
  $("sign-name").textContent = "";
  $("sign-error").textContent = "";
  $("done-text").textContent = "";
  $("done-sub").textContent = "";
  $("notice-text").textContent = "";
  if (pad) pad.clear();
}

function home() {
  resetPerson();
  if (!state.token) {
    show("pair");
    return;
  }
  show("search");
  renderAwaited();
  if (!state.revoked && !state.closed) $("search-input").focus();
}

function banner(text, kind = "danger") {
  const el = $("banner");
  el.textContent = text || "";
  el.className = `kiosk-banner alert-${kind}${text ? "" : " d-none"}`;
}

function refreshBanner() {
  if (state.revoked) banner(T.revoked, "danger");
  else if (state.closed) banner(T.closed, "warning");
  else if (state.event && state.event.status === "draft") banner(T.not_open, "warning");
  else banner("");
  $("search-input").disabled = state.revoked || state.closed;
}

async function signatureItems() {
  return (await outboxItems()).filter((i) => i.kind !== "identity");
}

async function renderStatusBar() {
  const items = await signatureItems();
  renderBar({ items, state, T, onDismiss: async (item) => {
    await removeItem(item.submission_id);
    await renderStatusBar();
  } });
}

// --- talking to the server ---------------------------------------------------------------

async function authHeaders() {
  const items = await signatureItems();
  return {
    Authorization: `Device ${state.token}`,
    "X-Kiosk-Pending": String(items.filter((i) => i.state === "pending").length),
    "X-Kiosk-Clock": new Date().toISOString(),
  };
}

async function api(path, options = {}) {
  const response = await fetch(`${API}${path}`, {
    ...options,
    headers: { ...(await authHeaders()), ...(options.headers || {}) },
    cache: "no-store",
  });
  const body = await response.json().catch(() => null);
  if (response.status === 401 || response.status === 403) {
    await markRevoked();
  }
  return { status: response.status, body };
}

async function markRevoked() {
  if (state.revoked) return;
  state.revoked = true;
  await setConfig("revoked", true);
  refreshBanner();
  await renderStatusBar();
}

function applyStatus(status) {
  state.signed = new Map(status.signed.map((s) => [s.employee_id, s]));
  // This tablet's own signatures count until the server's list shows them: a status that
  // left the server just before a send must not make a signed person look unsigned again.
  for (const id of [...(state.localSigned || new Map()).keys()]) {
    if (state.signed.has(id)) state.localSigned.delete(id);
  }
  state.awaited = status.awaited;
  state.serverLocked = new Set(status.locked || []);
  reconcileLocks(status);
  if (state.event) state.event.status = status.event_status;
  state.closed = status.event_status === "closed";
  refreshBanner();
  renderAwaited();
}

function applyRoster(data) {
  state.event = data.event;
  state.kdf = data.kdf || null;
  state.prepared = roster.prepare(data.employees);
  state.byId = new Map(state.prepared.map((e) => [e.id, e]));
  applyStatus(data.status);
}

async function loadRoster() {
  const { status, body } = await api("roster");
  if (status !== 200) return false;
  setOnline(true);
  await setConfig("roster", body);
  applyRoster(body);
  return true;
}

async function poll() {
  if (!state.token || state.revoked) return;
  try {
    const { status, body } = await api("status");
    if (status === 200) {
      setOnline(true);
      const changedText = state.event && body.template_hash !== state.event.template.hash;
      const changedSize = state.prepared.length !== body.expected_count;
      if (changedText || changedSize || roster.awaitingVerifiers(state.prepared)) await loadRoster();
      else applyStatus(body);
      await setConfig("status", body);
    }
  } catch (error) {
    setOnline(false);
  }
  await renderStatusBar();
}

// "Online" means the last real request reached the server and the browser has a network.
function setOnline(value) {
  state.online = Boolean(value) && navigator.onLine !== false;
}

// --- pairing -------------------------------------------------------------------------------

async function pair(code) {
  $("pair-error").textContent = "";
  let response;
  try {
    response = await fetch(`${API}pair`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code, user_agent: navigator.userAgent.slice(0, 300) }),
    });
  } catch (error) {
    $("pair-error").textContent = T.pair_offline;
    return;
  }
  const body = await response.json().catch(() => null);
  if (response.status !== 200) {
    $("pair-error").textContent = (body && body.message) || T.pair_failed;
    return;
  }
  state.token = body.token;
  state.device = body.device;
  state.event = body.event;
  state.revoked = false;
  await setConfig("token", body.token);
  await setConfig("device", body.device);
  await deleteConfig("revoked");
  await loadRoster();
  refreshBanner();
  await renderStatusBar();
  home();
  outbox.flush();
}

// --- step 1: search --------------------------------------------------------------------------

function renderAwaited() {
  renderAwaitedBox(state, T);
}

function onSearch() {
  const query = $("search-input").value;
  const started = performance.now();
  const results = roster.search(state.prepared, query);
  document.body.dataset.searchMs = (performance.now() - started).toFixed(2);
  const list = $("results");
  list.replaceChildren(...results.map((entry) => resultItem(entry, choose)));
  $("search-hint").textContent = query.trim() && !results.length ? T.no_match : "";
}


function choose(employeeId) {
  const entry = state.byId.get(employeeId);
  if (!entry || state.revoked || state.closed) return;
  const signed = state.signed.get(entry.id) || (state.localSigned || new Map()).get(entry.id);
  if (signed) {
    $("notice-text").textContent = fmt(T.already_signed, {
      name: entry.name,
      time: signedWhen(signed.signed_at),
      where: signed.where || T.elsewhere,
    });
    show("notice");
    return;
  }
  if (state.event.enforce_signing_order) {
    const { rank, waiting } = awaitedNow(state);
    if (rank !== null && entry.rank > rank) {
      $("notice-text").textContent = fmt(T.order_wait, {
        names: waiting.slice(0, 5).map((e) => e.name).join(", "),
      });
      show("notice");
      return;
    }
  }
  if (isLocked(entry.id)) {
    $("notice-text").textContent = fmt(T.identity_locked_person, { name: entry.name });
    show("notice");
    return;
  }
  // tries: wrong dates so far; offlineWrong: those only this tablet knows of (the server
  // counts the ones it checked itself).
  state.current = { entry, tries: 0, offlineWrong: 0, birthDate: null, method: "" };
  if (state.event.identity_check === "birth_date") {
    $("identity-name").textContent = `${entry.name} · ${entry.masked}`;
    $("identity-error").textContent = roster.hasBirthCheck(entry) ? "" : T.no_birth_date;
    show("identity");
    $("birth-date").focus();
  } else {
    showPact();
  }
}

// --- step 2: identity ------------------------------------------------------------------------

async function onIdentity(event) {
  event.preventDefault();
  const person = state.current;
  if (!person) return home();
  if (!roster.hasBirthCheck(person.entry)) return showPact();
  const iso = birthIso($("birth-date").value);
  if (!iso) {
    $("identity-error").textContent = T.birth_invalid;
    return;
  }
  let method = "birth_date_offline";
  let matches = await roster.birthDateMatches(state.kdf, person.entry, iso);
  let answer = null;
  if (matches === null) {
    method = "birth_date_online";
    answer = await askServerBirthDate(person.entry.id, iso);
    matches = answer === null ? null : answer.match;
  }
  if (state.current !== person) return; // timed out or cancelled while waiting
  if (matches === null) {
    $("identity-error").textContent = T.identity_unreachable;
    return;
  }
  if (matches) {
    person.birthDate = iso;
    person.method = method;
    showPact();
    return;
  }
  person.tries += 1;
  if (method === "birth_date_offline") person.offlineWrong += 1;
  if (person.tries >= MAX_IDENTITY_TRIES || (answer && answer.locked)) {
    await lockHere(person);
    $("notice-text").textContent = T.identity_locked;
    show("notice");
    state.current = null;
    return;
  }
  $("identity-error").textContent = T.birth_mismatch;
}

// --- the lock after wrong birth dates ----------------------------------------------------

function isLocked(employeeId) {
  return state.serverLocked.has(employeeId) || Boolean(state.localLocks[employeeId]);
}

// Locked here first (a reload keeps it), then reported through the outbox so every tablet and
// the officer's live view learn of it. Wrong dates the server checked itself it has counted.
async function lockHere(person) {
  const id = person.entry.id;
  const attemptId = uuid();
  const now = new Date().toISOString();
  state.localLocks[id] = { at: now, attempt_id: person.offlineWrong ? attemptId : null, sent_at: null };
  await setConfig("locks", state.localLocks);
  if (person.offlineWrong) {
    await addToOutbox({
      kind: "identity", submission_id: attemptId, employee_id: id,
      employee_name: person.entry.name, wrong: person.offlineWrong, client_at: now,
    });
    outbox.flush();
  }
}

// A local lock goes once the server has received it and, in a later status, no longer lists
// the person: an officer has unlocked them.
function reconcileLocks(status) {
  let changed = false;
  for (const [key, lock] of Object.entries(state.localLocks)) {
    const id = Number(key);
    if (state.serverLocked.has(id)) continue;
    const heard = lock.attempt_id === null || lock.sent_at;
    const after = lock.sent_at || lock.at;
    if (heard && status.server_time && new Date(status.server_time) > new Date(after)) {
      delete state.localLocks[key];
      changed = true;
    }
  }
  if (changed) setConfig("locks", state.localLocks);
}

// Only where the browser cannot check here (plain HTTP): null when the server is unreachable.
async function askServerBirthDate(employeeId, iso) {
  try {
    const { status, body } = await api("identity", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ employee_id: employeeId, birth_date: iso }),
    });
    setOnline(true);
    if (status === 423) return { match: false, locked: true };
    if (status !== 200 || !body) return null;
    return { match: Boolean(body.match), locked: Boolean(body.locked) };
  } catch (error) {
    setOnline(false);
    await renderStatusBar();
    return null;
  }
}

// --- step 3: the pact ------------------------------------------------------------------------

function showPact() {
  renderPact($("pact"), state.event, state.current.entry, T);
  $("agree").checked = false;
  $("agree").disabled = true;
  $("to-sign").disabled = true;
  show("pact");
  $("pact").scrollTop = 0;
  checkPactRead();
}

// Consent only once the whole pact has been on screen: scrolled to its end, or short enough.
function checkPactRead() {
  const pact = $("pact");
  const atEnd = pact.scrollTop + pact.clientHeight >= pact.scrollHeight - 8;
  if (atEnd && state.current) $("agree").disabled = false;
  $("agree-hint").classList.toggle("d-none", !$("agree").disabled);
}

// The evidence of consent: the statement exactly as shown, and when it was ticked.
async function onAgree() {
  $("to-sign").disabled = !$("agree").checked;
  const person = state.current;
  if (!person) return;
  if (!$("agree").checked) {
    person.consent = null;
    return;
  }
  const shown = $("agree-label").textContent.split(/\s+/).filter(Boolean).join(" ");
  person.consent = { at: new Date().toISOString(), hash: await sha256Hex(shown) };
}

// --- step 4: sign ----------------------------------------------------------------------------

function resizePad() {
  fitCanvas($("pad"), pad);
}

function showSign() {
  if (!state.current) return home();
  $("sign-name").textContent = state.current.entry.name;
  show("sign");
  resizePad();
  pad.clear();
}

async function onSignDone() {
  const person = state.current;
  if (!person) return home();
  const strokes = pad.toData();
  const box = inkBox(strokes);
  const span = Math.max(box.maxX - box.minX, box.maxY - box.minY);
  if (pad.isEmpty() || box.count < 10 || span < 40) {
    $("sign-error").textContent = T.too_small;
    return;
  }
  $("pad-done").disabled = true;
  const now = new Date();
  const record = {
    submission_id: uuid(),
    employee_id: person.entry.id,
    employee_name: person.entry.name,
    image: exportSignature($("pad"), box),
    strokes: compactStrokes(strokes),
    template_hash: state.event.template.hash,
    client_signed_at: now.toISOString(),
    birth_date: person.birthDate,
    agreed: true,
    consent_hash: person.consent ? person.consent.hash : "",
    consent_at: person.consent ? person.consent.at : null,
    identity_method: person.method || "",
    identity_wrong_attempts: person.offlineWrong,
  };
  try {
    await addToOutbox(record);
  } finally {
    $("pad-done").disabled = false;
  }
  state.localSigned = state.localSigned || new Map();
  state.localSigned.set(record.employee_id, { signed_at: record.client_signed_at, where: state.device.name });
  showDone(person.entry.name, now);
  await renderStatusBar();
  await outbox.flush();
  // The network may have gone since the last request: the signer learns it from this send.
  const stillHere = (await outboxItems()).some((i) => i.submission_id === record.submission_id);
  if (stillHere && document.body.dataset.screen === "done" && $("done-text").textContent) {
    $("done-sub").textContent = T.done_offline;
  }
}

function showDone(name, when) {
  $("done-text").textContent = fmt(T.done, { name, time: when.toLocaleTimeString("id-ID") });
  setOnline(state.online);
  $("done-sub").textContent = state.online ? T.done_sub : T.done_offline;
  state.current = null;
  if (pad) pad.clear();
  show("done");
  doneTimer = setTimeout(home, DONE_RETURN_MS);
}

// --- start -----------------------------------------------------------------------------------

async function restore() {
  state.token = (await getConfig("token")) || null;
  state.device = (await getConfig("device")) || null;
  state.revoked = Boolean(await getConfig("revoked"));
  state.localLocks = (await getConfig("locks")) || {};
  const cached = await getConfig("roster");
  // A roster cached before verifiers existed is reloaded rather than trusted.
  if (cached && cached.kdf) applyRoster(cached);
  const status = await getConfig("status");
  if (cached && status) applyStatus(status);
  // Signatures still in the outbox count as signed on this tablet.
  state.localSigned = new Map();
  for (const item of await signatureItems()) {
    if (item.state === "pending") {
      state.localSigned.set(item.employee_id, { signed_at: item.client_signed_at, where: state.device && state.device.name });
    }
  }
}

function pairingCodeFromUrl() {
  const match = /[#&]kode=([A-Za-z0-9-]+)/.exec(window.location.hash);
  if (!match) return null;
  // The code is a one-time secret: drop it from the address bar and history at once.
  history.replaceState(null, "", window.location.pathname);
  return match[1];
}

async function start() {
  if (navigator.storage && navigator.storage.persist) {
    navigator.storage.persist().then((granted) => { document.body.dataset.persisted = String(granted); });
  }
  // No service worker outside a secure context (plain HTTP): the kiosk then works online only.
  if (secure && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(config.swUrl, { scope: config.appUrl }).catch(() => {});
  }
  document.body.dataset.secure = secure ? "1" : "0";
  idle = new IdleGuard({
    box: $("idle-warning"), count: $("idle-count"), stay: $("idle-stay"), onTimeout: idleTimeout,
  });
  pad = new window.SignaturePad($("pad"), { minWidth: 1.2, maxWidth: 3.2, penColor: "#0a1a4a" });
  guardPad($("pad"));
  outbox = new Outbox({
    apiRoot: API,
    batch: config.batch,
    authHeaders,
    onChange: async (online) => { setOnline(online); await renderStatusBar(); },
    onSent: async (item, body) => {
      if (item.kind === "identity") {
        const lock = state.localLocks[item.employee_id];
        if (lock) {
          lock.sent_at = body.received_at;
          await setConfig("locks", state.localLocks);
        }
        if (body.locked) state.serverLocked.add(item.employee_id);
        return;
      }
      state.signed.set(item.employee_id, { employee_id: item.employee_id, signed_at: body.signed_at, where: state.device.name });
    },
    onRevoked: markRevoked,
    onClosed: async () => { state.closed = true; refreshBanner(); },
  });

  $("pair-form").addEventListener("submit", (e) => { e.preventDefault(); pair($("pair-code").value); });
  $("search-input").addEventListener("input", onSearch);
  $("identity-form").addEventListener("submit", onIdentity);
  $("birth-date").addEventListener("input", () => {
    formatBirthInput($("birth-date"));
    $("identity-error").textContent = "";
  });
  $("pact").addEventListener("scroll", checkPactRead, { passive: true });
  window.addEventListener("resize", () => { if (document.body.dataset.screen === "pact") checkPactRead(); });
  $("agree").addEventListener("change", onAgree);
  $("to-sign").addEventListener("click", showSign);
  $("pad-clear").addEventListener("click", () => { pad.clear(); $("sign-error").textContent = ""; });
  $("pad-done").addEventListener("click", onSignDone);
  for (const button of document.querySelectorAll("[data-action=home]")) button.addEventListener("click", home);
  window.addEventListener("resize", () => { if (document.body.dataset.screen === "sign") resizePad(); });
  // Regaining a network proves nothing about the server: the next request decides.
  window.addEventListener("online", () => { outbox.flush(); poll(); });
  window.addEventListener("offline", () => { setOnline(false); renderStatusBar(); });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") { outbox.flush(); poll(); }
  });
  // A page restored from the back/forward cache must not show the previous signer.
  window.addEventListener("pageshow", (e) => { if (e.persisted) home(); });

  await restore();
  const code = pairingCodeFromUrl();
  refreshBanner();
  await renderStatusBar();
  home();
  if (code && (!state.token || state.revoked)) {
    $("pair-code").value = code;
    show("pair");
    await pair(code);
  } else if (state.revoked) {
    show("pair");
  }
  if (state.token) {
    if (!state.prepared.length) await loadRoster().catch(() => setOnline(false));
    outbox.flush();
    poll();
  }
  setInterval(() => { if (state.token) outbox.flush(); }, SEND_MS);
  setInterval(poll, POLL_MS);
  document.body.dataset.ready = "1";
}

start();
