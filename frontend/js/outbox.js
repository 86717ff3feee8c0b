// @ts-check
/**
 * The autosave queue. Every change the annotator makes becomes an operation that is sent at
 * once, one at a time and in order, and kept in storage until the server acknowledges it,
 * so a flaky connection, a server restart or a reload never loses or duplicates work:
 *
 * - creates carry a client-generated `client_id`; the API answers a repeated one with the
 *   existing object, so a create whose response was lost can simply be sent again;
 * - network errors, 5xx, 429 and an expired session (401/403) are retried with exponential
 *   backoff on an injected timer, and the page shows "offline" meanwhile;
 * - PATCH and DELETE carry the version last seen from the server, and a 409 hands both
 *   versions to the page so the annotator chooses;
 * - any other 4xx is the server refusing the change: the page gets the server's message,
 *   and operations that depended on a refused create are dropped with it.
 *
 * Nothing here touches the DOM; fetch, storage, the clock and id generation are injected
 * so the whole behaviour runs under `node --test`.
 *
 * @module outbox
 */

/**
 * @typedef {"span.create" | "span.patch" | "span.delete" | "relation.create" | "relation.delete"} OpKind
 */

/**
 * @typedef {object} Op
 * @property {string} id         the operation's own id
 * @property {OpKind} kind
 * @property {string} target     client_id of the span or relation it changes
 * @property {Record<string, any>} body  for span.create/patch: span fields; for relation.create:
 *   {type, from, to} where from/to are span client_ids
 */

/**
 * @typedef {object} ApiError
 * @property {string} code
 * @property {string} message
 * @property {string | null} [field]
 * @property {Record<string, any>} [details]
 */

/**
 * @typedef {"saving" | "saved" | "offline"} SaveState
 */

/**
 * @typedef {object} ResponseLike
 * @property {number} status
 * @property {() => Promise<any>} json
 */

/**
 * @typedef {object} StorageLike
 * @property {(key: string) => string | null} getItem
 * @property {(key: string, value: string) => void} setItem
 * @property {(key: string) => void} removeItem
 * @property {number} length
 * @property {(index: number) => string | null} key
 */

/**
 * @typedef {object} OutboxOptions
 * @property {number} documentId
 * @property {(url: string, init: {method: string, headers: Record<string, string>, body?: string}) => Promise<ResponseLike>} fetch
 * @property {StorageLike} storage       localStorage in the page
 * @property {string} tab                this tab's id (kept in sessionStorage, so it survives a reload)
 * @property {() => string} uuid         crypto.randomUUID in the page
 * @property {() => number} now          Date.now in the page
 * @property {(fn: () => void, ms: number) => any} setTimeout
 * @property {(handle: any) => void} clearTimeout
 * @property {() => Record<string, string>} [headers]  e.g. the CSRF token
 * @property {string} [apiRoot]
 * @property {string} [layer]            a layer other than the user's own ("gold"): creates
 *   carry ?layer=, and the stored queue is kept apart from the own layer's
 * @property {number} [baseDelay]        first retry delay, ms
 * @property {number} [maxDelay]         cap on the retry delay, ms
 * @property {(state: SaveState) => void} [onState]
 * @property {(op: Op, result: any) => void} [onAck]
 * @property {(op: Op, current: any, error: ApiError) => void} [onConflict]
 * @property {(op: Op, error: ApiError, dropped: Op[]) => void} [onError]
 */

const PREFIX = "factcheck.outbox.";
// A tab refreshes its stored queue's timestamp at least this often while it holds work.
const HEARTBEAT_MS = 10_000;
// A stored queue not refreshed for this long belongs to a closed tab and is taken over.
const STALE_MS = 30_000;

export class Outbox {
  /** @param {OutboxOptions} options */
  constructor(options) {
    this.o = options;
    this.apiRoot = options.apiRoot ?? "/api";
    this.baseDelay = options.baseDelay ?? 1000;
    this.maxDelay = options.maxDelay ?? 60_000;
    // The scope names the document and, for another layer, that layer: queues of different
    // layers never adopt one another's operations.
    this.scope = options.layer ? `${options.documentId}@${options.layer}` : `${options.documentId}`;
    this.layerQuery = options.layer ? `?layer=${encodeURIComponent(options.layer)}` : "";
    this.key = `${PREFIX}${this.scope}.${options.tab}`;
    /** @type {Op[]} */
    this.queue = [];
    /** Server id and version of every span and relation, by client_id. @type {Map<string, {id: number, version?: number}>} */
    this.known = new Map();
    /** @type {Op | null} */
    this.inflight = null;
    this.attempts = 0;
    /** @type {any} */
    this.retryTimer = null;
    /** @type {any} */
    this.heartbeatTimer = null;
    /** @type {SaveState} */
    this.state = "saved";
    this.load();
  }

  /** Operations not yet acknowledged, in order (the in-flight one first). */
  get pending() {
    return [...this.queue];
  }

  /**
   * Register the objects the server already has (from the page's first GET), so later
   * changes can name them by id and version.
   * @param {{client_id: string | null, id: number, version?: number}[]} objects
   */
  seed(objects) {
    for (const o of objects) if (o.client_id) this.known.set(o.client_id, { id: o.id, version: o.version });
  }

  /**
   * @param {string} clientId
   * @param {Record<string, any>} body  label, start, end, quote, attributes, note
   */
  createSpan(clientId, body) {
    this.push({ id: this.o.uuid(), kind: "span.create", target: clientId, body: { ...body } });
  }

  /**
   * @param {string} clientId
   * @param {Record<string, any>} changes
   */
  patchSpan(clientId, changes) {
    // Typing a note or dragging an edge makes many small changes; folding them into the
    // last waiting operation for the same span sends one request instead of a burst.
    const last = this.queue[this.queue.length - 1];
    if (last && last !== this.inflight && last.target === clientId && (last.kind === "span.create" || last.kind === "span.patch")) {
      Object.assign(last.body, changes);
      this.persist();
      return;
    }
    this.push({ id: this.o.uuid(), kind: "span.patch", target: clientId, body: { ...changes } });
  }

  /** @param {string} clientId */
  deleteSpan(clientId) {
    if (this.cancelUnsentCreate(clientId)) return;
    this.push({ id: this.o.uuid(), kind: "span.delete", target: clientId, body: {} });
  }

  /**
   * @param {string} clientId
   * @param {{type: string, from: string, to: string}} body  endpoints as span client_ids
   */
  createRelation(clientId, body) {
    this.push({ id: this.o.uuid(), kind: "relation.create", target: clientId, body: { ...body } });
  }

  /** @param {string} clientId */
  deleteRelation(clientId) {
    if (this.cancelUnsentCreate(clientId)) return;
    this.push({ id: this.o.uuid(), kind: "relation.delete", target: clientId, body: {} });
  }

  /** Send now instead of waiting for the retry timer (the browser came back online). */
  flush() {
    if (this.retryTimer !== null) {
      this.o.clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    this.pump();
  }

  /**
   * A create that has not left the page yet can be forgotten instead of being undone on
   * the server, together with everything queued about the object and, for a span, the
   * relations that would have used it.
   * @param {string} clientId
   * @returns {boolean}
   */
  cancelUnsentCreate(clientId) {
    const create = this.queue.find((op) => op.target === clientId && op.kind.endsWith(".create"));
    if (!create || create === this.inflight) return false;
    const relations = new Set(
      this.queue
        .filter((op) => op.kind === "relation.create" && (op.body.from === clientId || op.body.to === clientId) && op !== this.inflight)
        .map((op) => op.target),
    );
    this.queue = this.queue.filter((op) => op === this.inflight || (op.target !== clientId && !relations.has(op.target)));
    this.persist();
    this.report();
    return true;
  }

  /** @param {Op} op */
  push(op) {
    this.queue.push(op);
    this.persist();
    this.pump();
  }

  /** Send the first waiting operation, unless one is in flight or a retry is scheduled. */
  pump() {
    if (this.inflight || this.retryTimer !== null) return;
    const op = this.queue[0];
    if (!op) {
      this.report();
      return;
    }
    const request = this.request(op);
    if (!request) {
      // Only reachable if the create this depends on was refused: the object never existed.
      this.queue.shift();
      this.persist();
      this.o.onError?.(op, { code: "not_saved", message: "This change refers to something that was never saved." }, []);
      this.pump();
      return;
    }
    this.inflight = op;
    this.report();
    const headers = { "Content-Type": "application/json", Accept: "application/json", ...(this.o.headers?.() ?? {}) };
    this.o
      .fetch(request.url, { method: request.method, headers, body: request.body === undefined ? undefined : JSON.stringify(request.body) })
      .then(
        async (response) => {
          let json = null;
          try {
            json = await response.json();
          } catch {
            // A proxy's HTML error page or an empty 204: the status says enough.
          }
          this.settle(op, response.status, json);
        },
        () => this.settle(op, 0, null),
      );
  }

  /**
   * The URL, method and body for an operation, or null if it needs a server id that does
   * not exist.
   * @param {Op} op
   * @returns {{url: string, method: string, body?: any} | null}
   */
  request(op) {
    const doc = this.o.documentId;
    const known = this.known.get(op.target);
    switch (op.kind) {
      case "span.create":
        return { url: `${this.apiRoot}/documents/${doc}/spans/${this.layerQuery}`, method: "POST", body: { client_id: op.target, ...op.body } };
      case "relation.create": {
        /** @type {Record<string, any>} */
        const body = { client_id: op.target, type: op.body.type };
        // An endpoint the server has not confirmed yet is named by its client_id; the queue
        // sends its create first, and the API resolves client_ids within the assignment.
        for (const end of /** @type {const} */ (["from", "to"])) {
          const span = this.known.get(op.body[end]);
          if (span) body[`${end}_span`] = span.id;
          else body[`${end}_client_id`] = op.body[end];
        }
        return { url: `${this.apiRoot}/documents/${doc}/relations/${this.layerQuery}`, method: "POST", body };
      }
      case "span.patch":
        if (!known) return null;
        return { url: `${this.apiRoot}/spans/${known.id}/`, method: "PATCH", body: { ...op.body, version: known.version } };
      case "span.delete":
        if (!known) return null;
        return { url: `${this.apiRoot}/spans/${known.id}/?version=${known.version}`, method: "DELETE" };
      case "relation.delete":
        if (!known) return null;
        return {
          url: `${this.apiRoot}/relations/${known.id}/${known.version === undefined ? "" : `?version=${known.version}`}`,
          method: "DELETE",
        };
      default:
        return null;
    }
  }

  /**
   * Handle the outcome of sending `op`: status 0 means the request never got an answer.
   * @param {Op} op
   * @param {number} status
   * @param {any} json
   */
  settle(op, status, json) {
    this.inflight = null;
    if (status === 0 || status >= 500 || status === 429 || status === 401 || status === 403) {
      this.retryLater();
      return;
    }
    this.attempts = 0;
    this.queue.shift();
    if (status >= 200 && status < 300) {
      this.learn(op, json);
      this.o.onAck?.(op, json);
    } else if (status === 404 && op.kind.endsWith(".delete")) {
      // Already gone (deleted from another tab, or with its span): the goal is reached.
      this.known.delete(op.target);
      this.o.onAck?.(op, null);
    } else if (status === 409) {
      const error = json?.error ?? { code: "conflict", message: "Someone changed this in the meantime." };
      const current = error.details?.current ?? null;
      if (current) this.known.set(op.target, { id: current.id, version: current.version });
      this.o.onConflict?.(op, current, error);
    } else {
      const error = json?.error ?? { code: `http_${status}`, message: `The server refused this change (HTTP ${status}) without saying why. Undo it or edit the span, and tell your editor if it happens again.` };
      this.o.onError?.(op, error, op.kind.endsWith(".create") ? this.dropDependents(op.target) : []);
    }
    this.persist();
    this.pump();
  }

  /**
   * Remember the id and version the server gave an object.
   * @param {Op} op
   * @param {any} json
   */
  learn(op, json) {
    if (op.kind.endsWith(".delete")) this.known.delete(op.target);
    else if (json && typeof json.id === "number") this.known.set(op.target, { id: json.id, version: json.version });
  }

  /**
   * Drop the waiting operations that need an object whose create was refused: those about
   * the object itself and, for a span, the relations that would have used it.
   * @param {string} clientId
   * @returns {Op[]}
   */
  dropDependents(clientId) {
    const gone = new Set([clientId]);
    for (const op of this.queue) {
      if (op.kind === "relation.create" && (op.body.from === clientId || op.body.to === clientId)) gone.add(op.target);
    }
    const dropped = this.queue.filter((op) => gone.has(op.target));
    this.queue = this.queue.filter((op) => !gone.has(op.target));
    return dropped;
  }

  retryLater() {
    this.attempts++;
    const delay = Math.min(this.baseDelay * 2 ** (this.attempts - 1), this.maxDelay);
    this.retryTimer = this.o.setTimeout(() => {
      this.retryTimer = null;
      this.pump();
    }, delay);
    this.persist();
    this.report();
  }

  report() {
    /** @type {SaveState} */
    const state = this.queue.length === 0 ? "saved" : this.retryTimer !== null ? "offline" : "saving";
    if (state !== this.state) {
      this.state = state;
      this.o.onState?.(state);
    }
  }

  /** Write the queue to storage, or remove it when empty. */
  persist() {
    if (this.queue.length === 0) {
      this.o.storage.removeItem(this.key);
      this.stopHeartbeat();
      return;
    }
    this.o.storage.setItem(this.key, JSON.stringify({ v: 1, at: this.o.now(), queue: this.queue }));
    if (this.heartbeatTimer === null) this.startHeartbeat();
  }

  startHeartbeat() {
    this.heartbeatTimer = this.o.setTimeout(() => {
      this.heartbeatTimer = null;
      this.persist();
    }, HEARTBEAT_MS);
  }

  stopHeartbeat() {
    if (this.heartbeatTimer !== null) {
      this.o.clearTimeout(this.heartbeatTimer);
      this.heartbeatTimer = null;
    }
  }

  /**
   * Restore this tab's queue after a reload, and take over queues that tabs closed before
   * the server acknowledged them (they stopped refreshing their timestamp). A queue of a
   * tab that is still open is left to that tab.
   */
  load() {
    const own = this.o.storage.getItem(this.key);
    if (own) this.queue.push(...parse(own));
    const prefix = `${PREFIX}${this.scope}.`;
    const orphans = [];
    for (let i = 0; i < this.o.storage.length; i++) {
      const key = this.o.storage.key(i);
      if (!key || key === this.key || !key.startsWith(prefix)) continue;
      const raw = this.o.storage.getItem(key);
      const record = raw ? safeJson(raw) : null;
      if (!record || this.o.now() - (record.at ?? 0) > STALE_MS) orphans.push({ key, ops: raw ? parse(raw) : [] });
    }
    for (const orphan of orphans) {
      this.queue.push(...orphan.ops);
      this.o.storage.removeItem(orphan.key);
    }
    this.persist();
  }

  /** Start sending what was restored. The page calls this after seed(). */
  start() {
    this.report();
    this.pump();
  }
}

/**
 * @param {string} raw
 * @returns {Op[]}
 */
function parse(raw) {
  const record = safeJson(raw);
  return record && Array.isArray(record.queue) ? record.queue : [];
}

/**
 * @param {string} raw
 * @returns {any}
 */
function safeJson(raw) {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

/**
 * The page's view after a reload: the server's spans and relations with the waiting
 * operations applied on top, so unsaved work shows up at once.
 * @template {{client_id: string | null}} S
 * @template {{client_id: string | null}} R
 * @param {S[]} spans
 * @param {R[]} relations
 * @param {Op[]} ops
 * @returns {{spans: S[], relations: R[]}}
 */
export function applyPending(spans, relations, ops) {
  /** @type {Map<string, any>} */
  const s = new Map(spans.map((x, i) => [x.client_id ?? `server-${i}`, x]));
  /** @type {Map<string, any>} */
  const r = new Map(relations.map((x, i) => [x.client_id ?? `server-${i}`, x]));
  for (const op of ops) {
    switch (op.kind) {
      case "span.create":
        if (!s.has(op.target)) s.set(op.target, { ...op.body, client_id: op.target, id: null });
        break;
      case "span.patch":
        if (s.has(op.target)) s.set(op.target, { ...s.get(op.target), ...op.body });
        break;
      case "span.delete":
        s.delete(op.target);
        break;
      case "relation.create":
        if (!r.has(op.target)) r.set(op.target, { type: op.body.type, from: op.body.from, to: op.body.to, client_id: op.target, id: null });
        break;
      case "relation.delete":
        r.delete(op.target);
        break;
    }
  }
  return { spans: [...s.values()], relations: [...r.values()] };
}
