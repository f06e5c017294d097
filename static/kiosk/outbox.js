// The kiosk's local storage (IndexedDB through idb) and its outbox.
// Every signature (and every report of wrong birth dates, kind "identity") is written here first, with a UUID made on the tablet and the tablet's
// clock, and leaves only when the server has answered for it. Nothing is lost by a reload,
// a closed tab or a restarted tablet.

import { openDB } from "idb";

const DB_NAME = "pakta-kiosk";
const DB_VERSION = 1;

let dbPromise = null;

export function db() {
  if (!dbPromise) {
    dbPromise = openDB(DB_NAME, DB_VERSION, {
      upgrade(database) {
        database.createObjectStore("config");
        const outbox = database.createObjectStore("outbox", { keyPath: "submission_id" });
        outbox.createIndex("created", "created_seq");
      },
    });
  }
  return dbPromise;
}

export async function getConfig(key) {
  return (await db()).get("config", key);
}

export async function setConfig(key, value) {
  return (await db()).put("config", value, key);
}

export async function deleteConfig(key) {
  return (await db()).delete("config", key);
}

export async function addToOutbox(record) {
  const database = await db();
  record.created_seq = Date.now() * 1000 + Math.floor(Math.random() * 1000);
  record.state = "pending";
  record.attempts = 0;
  await database.put("outbox", record);
  return record;
}

export async function outboxItems() {
  return (await db()).getAllFromIndex("outbox", "created");
}

export async function updateItem(record) {
  return (await db()).put("outbox", record);
}

export async function removeItem(id) {
  return (await db()).delete("outbox", id);
}

// Which answers end an item's journey. Anything else (network down, 5xx, 429) is retried.
function classify(status, code) {
  if (status === 200 || status === 201) return "sent";
  if (status === 401 || status === 403) return "revoked";
  if (code === "event.not_open") return "closed";
  if ([400, 409, 413, 422, 423].includes(status)) return "refused";
  return "retry";
}

function signatureBody(item) {
  return {
    submission_id: item.submission_id,
    employee_id: item.employee_id,
    image: item.image,
    strokes: item.strokes,
    template_hash: item.template_hash,
    client_signed_at: item.client_signed_at,
    client_sent_at: new Date().toISOString(),
    birth_date: item.birth_date || null,
    agreed: item.agreed,
    consent_hash: item.consent_hash || "",
    consent_at: item.consent_at || null,
    identity_method: item.identity_method || "",
    identity_wrong_attempts: item.identity_wrong_attempts || 0,
  };
}

function identityBody(item) {
  return {
    attempt_id: item.submission_id,
    employee_id: item.employee_id,
    wrong: item.wrong,
    client_at: item.client_at,
  };
}

export class Outbox {
  constructor({ apiRoot, authHeaders, onChange, onSent, onRevoked, onClosed }) {
    this.apiRoot = apiRoot;
    this.authHeaders = authHeaders;
    this.onChange = onChange;
    this.onSent = onSent;
    this.onRevoked = onRevoked;
    this.onClosed = onClosed;
    this.flushing = null;
  }

  async counts() {
    const items = await outboxItems();
    return {
      pending: items.filter((i) => i.state === "pending").length,
      refused: items.filter((i) => i.state === "refused"),
      items,
    };
  }

  flush() {
    // One flush at a time; callers from every trigger share the running one.
    if (!this.flushing) {
      this.flushing = this._flush().finally(() => {
        this.flushing = null;
      });
    }
    return this.flushing;
  }

  async _flush() {
    const items = (await outboxItems()).filter((i) => i.state === "pending");
    // Nothing sent, nothing learnt: an empty outbox says nothing about the network.
    if (!items.length) return;
    for (const item of items) {
      let response;
      let body = null;
      try {
        const headers = await this.authHeaders();
        response = await fetch(`${this.apiRoot}${item.kind === "identity" ? "identity-attempts" : "signatures"}`, {
          method: "POST",
          headers: { ...headers, "Content-Type": "application/json" },
          body: JSON.stringify(item.kind === "identity" ? identityBody(item) : signatureBody(item)),
          cache: "no-store",
        });
        body = await response.json().catch(() => null);
      } catch (error) {
        await this.onChange(false);
        return;
      }
      const outcome = classify(response.status, body && body.code);
      if (outcome === "sent") {
        await removeItem(item.submission_id);
        await this.onSent(item, body);
      } else if (outcome === "refused" && item.kind === "identity") {
        // Nothing for an officer to recover: the person stays locked on this tablet.
        await removeItem(item.submission_id);
      } else if (outcome === "refused") {
        item.state = "refused";
        item.error = body || { code: `http.${response.status}`, message: String(response.status) };
        item.refused_at = new Date().toISOString();
        await updateItem(item);
      } else if (outcome === "revoked") {
        await this.onRevoked(body);
        await this.onChange(true);
        return;
      } else if (outcome === "closed") {
        await this.onClosed(body);
        await this.onChange(true);
        return;
      } else {
        item.attempts += 1;
        await updateItem(item);
        await this.onChange(true);
        return;
      }
    }
    await this.onChange(true);
  }
}
