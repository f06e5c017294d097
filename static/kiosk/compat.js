// Fallbacks for what browsers give only to secure contexts (HTTPS or localhost). Regional
// intranets often serve plain HTTP: there `crypto.randomUUID`, `crypto.subtle`, service
// workers and persistent storage do not exist, and the kiosk must still sign (online).

import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";

export const secure = Boolean(window.isSecureContext);

// A version 4 UUID. `crypto.getRandomValues` exists in every context, secure or not.
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// SHA-256 from the vendored @noble/hashes: the same in secure and plain-HTTP pages.
export async function sha256Hex(text) {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

// Sentences built on the tablet: "%(name)s" placeholders filled in, and a period right after
// a value that already ends with one dropped ("Budi, A.Md." + "." stays "Budi, A.Md.").
export function fmt(text, values) {
  return text.replace(/%\((\w+)\)s(\.?)/g, (_, key, dot) => {
    const value = String(values[key] ?? "");
    return dot && value.endsWith(".") ? value : value + dot;
  });
}
