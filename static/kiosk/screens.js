// Pieces of the kiosk's screens that need no app state of their own: the status bar with the
// officer's recovery list, and the one-field birth date.

import { fmt } from "pakta-kiosk/compat";
import { recoveryItem } from "pakta-kiosk/pact";
import { awaitedRank } from "pakta-kiosk/roster";

const $ = (id) => document.getElementById(id);

export function renderBar({ items, state, T, onDismiss }) {
  const pending = items.filter((i) => i.state === "pending");
  const refused = items.filter((i) => i.state === "refused");
  $("pending-count").textContent = String(pending.length);
  $("pending-state").dataset.pending = String(pending.length);
  $("pending-state").className = `badge rounded-pill ${pending.length ? "text-bg-warning" : "text-bg-light"}`;
  const net = $("net-state");
  net.dataset.online = state.online ? "1" : "0";
  net.textContent = state.online ? T.online : T.offline;
  net.className = `badge rounded-pill ${state.online ? "text-bg-success" : "text-bg-danger"}`;
  $("device-name").textContent = state.device ? state.device.name : "";
  $("event-title").textContent = state.event ? state.event.title : "Pakta";
  // The officer's recovery list: refused signatures always; unsent ones once revoked.
  const shown = state.revoked ? items : refused;
  const box = $("recovery");
  box.classList.toggle("d-none", shown.length === 0);
  $("recovery-h").textContent = state.revoked ? T.recovery_revoked : T.recovery_refused;
  $("recovery-list").replaceChildren(...shown.map((item) => recoveryItem(item, T, () => onDismiss(item))));
}

// Who has signed as far as this tablet knows: the server's list plus its own outbox.
export function signedIdsOf(state) {
  const ids = new Set(state.signed.keys());
  for (const id of (state.localSigned || new Map()).keys()) ids.add(id);
  return ids;
}

// The signing rank awaited now and who, in it, has not signed yet.
export function awaitedNow(state) {
  const signed = signedIdsOf(state);
  const rank = awaitedRank(state.prepared, signed);
  const waiting = state.prepared.filter((e) => e.rank === rank && !e.excused && !signed.has(e.id));
  return { rank, waiting };
}

export function renderAwaitedBox(state, T) {
  const box = $("awaited");
  const { rank, waiting } = state.event && state.event.enforce_signing_order
    ? awaitedNow(state) : { rank: null, waiting: [] };
  const shown = rank !== null && rank !== 9 && waiting.length > 0;
  box.classList.toggle("d-none", !shown);
  box.textContent = shown
    ? fmt(T.awaited, { names: waiting.slice(0, 8).map((e) => e.name).join(", ") }) : "";
}

export function signedWhen(iso) {
  const when = new Date(iso);
  const time = when.toLocaleTimeString("id-ID", { hour: "2-digit", minute: "2-digit" });
  return `${when.toLocaleDateString("id-ID")} ${time}`;
}

// DDMMYYYY typed on a numeric keypad, shown as DD-MM-YYYY while typing.
export function formatBirthInput(input) {
  const digits = input.value.replace(/\D/g, "").slice(0, 8);
  const parts = [digits.slice(0, 2), digits.slice(2, 4), digits.slice(4)].filter(Boolean);
  input.value = parts.join("-");
}

// "DD-MM-YYYY" (or the bare digits) as an ISO date, or null when it is no real date.
export function birthIso(text) {
  const digits = text.replace(/\D/g, "");
  if (digits.length !== 8) return null;
  const [d, m, y] = [digits.slice(0, 2), digits.slice(2, 4), digits.slice(4)];
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (date.getUTCDate() !== Number(d) || date.getUTCMonth() !== Number(m) - 1) return null;
  return `${y}-${m}-${d}`;
}
