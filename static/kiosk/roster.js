// Roster search for the kiosk: runs over the cached roster, offline, on every keystroke.
// Names are matched by letters; numbers by the last 4 digits the mask shows (the roster holds
// no full NIP/NIK and no birth-date digits), typed alone or as the end of a whole number.

import { scrypt } from "@noble/hashes/scrypt.js";
import { bytesToHex } from "@noble/hashes/utils.js";

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
  if (/^[0-9]+$/.test(digits)) return byNumber(prepared, digits, limit);
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

// Up to 4 digits: the masks whose last digits start with them. A whole NIP (18) or NIK (16):
// the masks ending in its last 4 digits. Anything in between matches nothing yet.
export function byNumber(prepared, digits, limit = 12) {
  let test = null;
  if (digits.length <= 4) test = (tail) => tail.startsWith(digits);
  else if (digits.length === 16 || digits.length === 18) test = (tail) => tail === digits.slice(-4);
  if (!test) return [];
  const out = [];
  for (const entry of prepared) {
    if (entry.digits_tail && test(entry.digits_tail)) {
      out.push(entry);
      if (out.length >= limit) break;
    }
  }
  return out;
}

// THE one place the tablet hashes a typed birth date: scrypt with the person's own salt and
// the roster's parameters, from the vendored @noble/hashes (pure JS: works on plain HTTP too).
// The server makes the same bytes with hashlib.scrypt (signings/services/identity_checks.py).
export function hashBirthDate(kdf, salt, isoDate) {
  const key = scrypt(isoDate, salt, { N: kdf.N, r: kdf.r, p: kdf.p, dkLen: kdf.dkLen });
  return bytesToHex(key);
}

// Whether the entry's birth date must be checked at all (unknown birth dates are not).
export function hasBirthCheck(entry) {
  if (entry.birth_check) return entry.birth_check !== "none";
  return Boolean(entry.birth_verifier || entry.birth_hash);
}

// Entries the server had no verifier for yet: the roster is fetched again until it has.
export function awaitingVerifiers(prepared) {
  return prepared.some((e) => e.birth_check === "server");
}

// true / false, or null when only the server can tell: a roster cached before the tablet
// received verifiers (the caller then asks the server).
export async function birthDateMatches(kdf, entry, isoDate) {
  if (!hasBirthCheck(entry)) return true;
  if (!kdf || kdf.name !== "scrypt" || !entry.birth_verifier) return null;
  return hashBirthDate(kdf, entry.birth_salt, isoDate) === entry.birth_verifier;
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
