// The kiosk's local storage (IndexedDB through idb) and its outbox.
// Every signature (and every report of wrong birth dates, kind "identity") is written here first, with a UUID made on the tablet and the tablet's
// clock, and leaves only when the server has answered for it. Nothing is lost by a reload,
// a closed tab or a restarted tablet. Several signatures waiting side by side leave in one
// request (kiosk:api:submit_batch), each answered as if it had been sent alone.

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

// Answers to a whole batch after which its records are sent one by one instead: the server
// would not take this batch (too large, malformed) or has no batch endpoint.
const ONE_BY_ONE = new Set([400, 404, 405, 413, 422]);

const encoder = new TextEncoder();

export class Outbox {
  // `batch` ({url, maxItems, maxBytes}, from the page's config): signatures that wait side by
  // side go in one request. Without it, every record goes alone.
  constructor({ apiRoot, batch, authHeaders, onChange, onSent, onRevoked, onClosed }) {
    this.apiRoot = apiRoot;
    this.batch = batch || null;
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
    let index = 0;
    while (index < items.length) {
      // Outbox order is kept: a batch is a run of signatures with nothing else between them.
      const group = this._group(items, index);
      const stop = group.length > 1 ? await this._sendBatch(group) : await this._sendOne(items[index]);
      if (stop) return;
      index += Math.max(group.length, 1);
    }
    await this.onChange(true);
  }

  // The pending signatures from `start` on that one batch takes: [{item, json}].
  _group(items, start) {
    const group = [];
    if (!this.batch) return group;
    let bytes = '{"items":[]}'.length;
    for (let i = start; i < items.length && group.length < this.batch.maxItems; i++) {
      if (items[i].kind === "identity") break;
      const json = JSON.stringify(signatureBody(items[i]));
      const size = encoder.encode(json).length + 1;
      if (bytes + size > this.batch.maxBytes) break;
      bytes += size;
      group.push({ item: items[i], json });
    }
    return group;
  }

  async _post(url, body) {
    const headers = await this.authHeaders();
    const response = await fetch(url, {
      method: "POST",
      headers: { ...headers, "Content-Type": "application/json" },
      body,
      cache: "no-store",
    });
    return { status: response.status, body: await response.json().catch(() => null) };
  }

  // Sends one record; true when the flush must stop.
  async _sendOne(item) {
    const identity = item.kind === "identity";
    let answer;
    try {
      answer = await this._post(`${this.apiRoot}${identity ? "identity-attempts" : "signatures"}`,
        JSON.stringify(identity ? identityBody(item) : signatureBody(item)));
    } catch (error) {
      await this.onChange(false);
      return true;
    }
    return this._stopAfter([await this._apply(item, answer.status, answer.body)]);
  }

  // Sends a run of signatures in one request and applies each one's answer as if it had been
  // sent alone; true when the flush must stop.
  async _sendBatch(group) {
    let answer;
    try {
      answer = await this._post(this.batch.url, `{"items":[${group.map((g) => g.json).join(",")}]}`);
    } catch (error) {
      await this.onChange(false);
      return true;
    }
    const results = answer.status === 200 && answer.body && Array.isArray(answer.body.results)
      ? answer.body.results : null;
    const matches = results && results.length === group.length && results.every((result, i) =>
      result && result.body && typeof result.http_status === "number"
      && String(result.submission_id).toLowerCase() === group[i].item.submission_id.toLowerCase());
    if (!matches) {
      const outcome = classify(answer.status, answer.body && answer.body.code);
      if (answer.status === 200 || ONE_BY_ONE.has(answer.status)) {
        for (const { item } of group) {
          if (await this._sendOne(item)) return true;
        }
        return false;
      }
      if (outcome === "revoked" || outcome === "closed") {
        return this._stopAfter([{ outcome, body: answer.body }]);
      }
      // Network trouble, 5xx, 429: every record of the batch waits for the next flush.
      for (const { item } of group) await this._retryLater(item);
      return this._stopAfter([{ outcome: "retry", body: answer.body }]);
    }
    const applied = [];
    for (let i = 0; i < group.length; i++) {
      applied.push(await this._apply(group[i].item, results[i].http_status, results[i].body));
    }
    return this._stopAfter(applied);
  }

  // What one answer means for its record: {outcome, body}.
  async _apply(item, status, body) {
    const outcome = classify(status, body && body.code);
    if (outcome === "sent") {
      await removeItem(item.submission_id);
      await this.onSent(item, body);
    } else if (outcome === "refused" && item.kind === "identity") {
      // Nothing for an officer to recover: the person stays locked on this tablet.
      await removeItem(item.submission_id);
    } else if (outcome === "refused") {
      item.state = "refused";
      item.error = body || { code: `http.${status}`, message: String(status) };
      item.refused_at = new Date().toISOString();
      await updateItem(item);
    } else if (outcome === "retry") {
      await this._retryLater(item);
    }
    return { outcome, body };
  }

  // The record stays queued for the next flush; attempts only feed the tablet's status line.
  async _retryLater(item) {
    item.attempts += 1;
    await updateItem(item);
  }

  // After the answers of one request: revoked, closed or retry stop the flush (in that order of
  // weight); true when it stops.
  async _stopAfter(applied) {
    const find = (name) => applied.find((a) => a.outcome === name);
    const revoked = find("revoked");
    const closed = find("closed");
    if (revoked) await this.onRevoked(revoked.body);
    else if (closed) await this.onClosed(closed.body);
    else if (!find("retry")) return false;
    await this.onChange(true);
    return true;
  }
}
