// Roster search for the kiosk: runs over the cached roster, offline, on every keystroke.
// Names are matched by letters; numbers by the digits a masked NIP/NIK shows, or exactly by a
// salted hash when the whole number is typed (the roster never holds full NIP/NIK).

import { sha256Hex } from "pakta-kiosk/compat";

const COMBINING = /[\u0300-\u036f]/g;

export function normalize(text) {
  return (text || "")
    .normalize("NFD")
    .replace(COMBINING, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

export function prepare(employees) {
  return employees.map((e) => {
    const key = normalize(`${e.search_name} ${e.name}`);
    return { ...e, _key: ` ${key}`, _words: key.split(" ") };
  });
}

function nameScore(entry, tokens) {
  let score = 0;
  for (const token of tokens) {
    const at = entry._key.indexOf(token);
    if (at < 0) return -1;
    // A token at a word start ranks above one in the middle of a word.
    score += entry._key.charAt(at - 1) === " " ? 2 : 1;
  }
  return score;
}

// Returns up to `limit` entries, best first. Synchronous and allocation-light: with 5,000
// names it must answer between two keystrokes.
export function search(prepared, query, limit = 12) {
  const raw = (query || "").trim();
  if (!raw) return [];
  const digits = raw.replace(/[\s.\-]/g, "");
  if (/^[0-9]+$/.test(digits)) {
    const out = [];
    for (const entry of prepared) {
      const head = entry.digits_head || "";
      if (!head) continue;
      const matches = digits.length <= head.length ? head.startsWith(digits) : digits.startsWith(head);
      if (matches) {
        out.push(entry);
        if (out.length >= limit) break;
      }
    }
    return out;
  }
  const tokens = normalize(raw).split(" ").filter(Boolean);
  if (!tokens.length) return [];
  // Bucket by score instead of sorting: a one-letter query matches thousands of names and a
  // locale-aware sort of them costs tens of milliseconds. Within a bucket the roster's own
  // order (signing order, unit, name) is kept.
  const buckets = [];
  for (const entry of prepared) {
    const score = nameScore(entry, tokens);
    if (score < 0) continue;
    (buckets[score] ||= []).push(entry);
  }
  const out = [];
  for (let score = buckets.length - 1; score >= 0 && out.length < limit; score--) {
    const bucket = buckets[score];
    if (!bucket) continue;
    for (const entry of bucket) {
      out.push(entry);
      if (out.length >= limit) break;
    }
  }
  return out;
}

export async function findByNumber(prepared, salt, digits) {
  if (digits.length !== 16 && digits.length !== 18) return null;
  const hash = (await sha256Hex(`${salt}:n:${digits}`)).slice(0, 24);
  return prepared.find((e) => e.number_hash === hash) || null;
}

// THE one place the tablet hashes a typed birth date (issue 9, item 3 replaces its body with
// a vendored memory-hard KDF). Returns null when this browser cannot hash here (no
// crypto.subtle outside a secure context): the caller then asks the server instead.
export async function hashBirthDate(salt, entryId, isoDate) {
  if (!(globalThis.crypto && crypto.subtle && crypto.subtle.digest)) return null;
  return (await sha256Hex(`${salt}:${entryId}:${isoDate}`)).slice(0, 24);
}

// true / false, or null when only the server can tell (see hashBirthDate).
export async function birthDateMatches(salt, entry, isoDate) {
  if (!entry.birth_hash) return true;
  const hash = await hashBirthDate(salt, entry.id, isoDate);
  if (hash === null) return null;
  return hash === entry.birth_hash;
}

// The lowest signing rank still awaited (head 0, echelon 2-4, staff 9), given who has signed
// as far as this tablet knows (server list plus its own outbox).
export function awaitedRank(prepared, signedIds) {
  let rank = null;
  for (const entry of prepared) {
    if (entry.excused || signedIds.has(entry.id)) continue;
    if (rank === null || entry.rank < rank) rank = entry.rank;
  }
  return rank;
}
