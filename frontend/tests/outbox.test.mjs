import { test } from "node:test";
import assert from "node:assert/strict";

import { Outbox, applyPending } from "../js/outbox.js";

/** A Storage with the localStorage interface, in memory. */
function memoryStorage() {
  const m = new Map();
  return {
    getItem: (k) => (m.has(k) ? m.get(k) : null),
    setItem: (k, v) => void m.set(k, String(v)),
    removeItem: (k) => void m.delete(k),
    key: (i) => [...m.keys()][i] ?? null,
    get length() {
      return m.size;
    },
    map: m,
  };
}

/** Timers driven by the test, like page.clock: nothing fires until advance(). */
function fakeClock() {
  let now = 1_000_000;
  let next = 1;
  const timers = new Map();
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = next++;
      timers.set(id, { fn, at: now + ms });
      return id;
    },
    clearTimeout: (id) => void timers.delete(id),
    /** Run every timer due within ms, in time order. */
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
        await settle();
      }
      now = end;
    },
    pendingDelays: () => [...timers.values()].map((t) => t.at - now).sort((a, b) => a - b),
  };
}

/** Let promise callbacks run. */
async function settle() {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
}

/**
 * A fake of the API's span and relation endpoints, following the contract in DESIGN.md:
 * idempotent creates by client_id, versions on PATCH/DELETE, 409 with the current object,
 * the one error shape.
 */
function fakeApi() {
  const api = {
    online: true,
    failures: 0, // answer this many requests with 503 first
    spans: new Map(),
    relations: new Map(),
    calls: [],
    nextId: 1,
    /** @type {((req: any) => any) | null} */
    override: null,
  };
  const error = (status, code, message, details = {}) => ({ status, json: { error: { code, message, field: null, details } } });
  const handle = (method, url, body) => {
    if (api.override) {
      const r = api.override({ method, url, body });
      if (r) return r;
    }
    let m;
    if (method === "POST" && (m = url.match(/^\/api\/documents\/7\/spans\/$/))) {
      for (const s of api.spans.values()) if (s.client_id === body.client_id) return { status: 200, json: s };
      if (body.start >= body.end) return error(400, "invalid_offsets", "start must be before end.");
      const s = { id: api.nextId++, version: 1, ...body };
      api.spans.set(s.id, s);
      return { status: 201, json: s };
    }
    if ((m = url.match(/^\/api\/spans\/(\d+)\/(?:\?version=(\d+))?$/))) {
      const s = api.spans.get(Number(m[1]));
      if (!s) return error(404, "not_found", "No such span.");
      const version = method === "DELETE" ? Number(m[2]) : body.version;
      if (version !== s.version) return error(409, "version_conflict", "Someone changed this span.", { current: { ...s } });
      if (method === "DELETE") {
        api.spans.delete(s.id);
        let n = 0;
        for (const [id, r] of api.relations) if (r.from_span === s.id || r.to_span === s.id) api.relations.delete(id), n++;
        return { status: 200, json: { deleted_relations: n } };
      }
      const { version: _v, ...changes } = body;
      Object.assign(s, changes, { version: s.version + 1 });
      return { status: 200, json: { ...s } };
    }
    if (method === "POST" && url === "/api/documents/7/relations/") {
      for (const r of api.relations.values()) if (r.client_id === body.client_id) return { status: 200, json: r };
      const resolve = (end) => {
        if (body[`${end}_span`] !== undefined) return api.spans.get(body[`${end}_span`])?.id;
        for (const s of api.spans.values()) if (s.client_id === body[`${end}_client_id`]) return s.id;
        return undefined;
      };
      const from = resolve("from");
      const to = resolve("to");
      if (!from || !to) return error(400, "unknown_span", "The relation names a span that does not exist.");
      const r = { id: api.nextId++, version: 1, client_id: body.client_id, type: body.type, from_span: from, to_span: to };
      api.relations.set(r.id, r);
      return { status: 201, json: r };
    }
    if (method === "DELETE" && (m = url.match(/^\/api\/relations\/(\d+)\/(?:\?version=\d+)?$/))) {
      if (!api.relations.delete(Number(m[1]))) return error(404, "not_found", "No such relation.");
      return { status: 200, json: {} };
    }
    return error(404, "not_found", `no route ${method} ${url}`);
  };
  api.fetch = async (url, init) => {
    const body = init.body === undefined ? undefined : JSON.parse(init.body);
    api.calls.push({ method: init.method, url, body, headers: init.headers });
    if (!api.online) throw new TypeError("Failed to fetch");
    if (api.failures > 0) {
      api.failures--;
      return { status: 503, json: async () => ({ error: { code: "unavailable", message: "Try again." } }) };
    }
    const r = handle(init.method, url, body);
    return { status: r.status, json: async () => structuredClone(r.json) };
  };
  return api;
}

function setup({ api = fakeApi(), storage = memoryStorage(), clock = fakeClock(), tab = "tab1" } = {}) {
  const events = { states: [], acks: [], conflicts: [], errors: [] };
  let n = 0;
  const outbox = new Outbox({
    documentId: 7,
    fetch: api.fetch,
    storage,
    tab,
    uuid: () => `op-${tab}-${++n}`,
    now: clock.now,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    headers: () => ({ "X-CSRFToken": "tok" }),
    onState: (s) => events.states.push(s),
    onAck: (op, result) => events.acks.push({ op, result }),
    onConflict: (op, current, error) => events.conflicts.push({ op, current, error }),
    onError: (op, error, dropped) => events.errors.push({ op, error, dropped }),
  });
  outbox.start();
  return { outbox, api, storage, clock, events };
}

const SPAN = { label: "denial", start: 40, end: 49, quote: "unfounded", attributes: {}, note: "" };

test("a change is sent at once with its client_id and the CSRF header, and the state goes saving -> saved", async () => {
  const { outbox, api, events, storage } = setup();
  outbox.createSpan("s1", SPAN);
  assert.equal(api.calls.length, 1);
  assert.deepEqual(api.calls[0].body, { client_id: "s1", ...SPAN });
  assert.equal(api.calls[0].headers["X-CSRFToken"], "tok");
  assert.equal(outbox.state, "saving");
  await settle();
  assert.deepEqual(events.states, ["saving", "saved"]);
  assert.equal(api.spans.size, 1);
  assert.equal(outbox.known.get("s1").id, 1);
  assert.equal(storage.map.size, 0, "nothing left in storage once acknowledged");
});

test("operations go one at a time, in order: a patch waits for its create and uses the new id and version", async () => {
  const { outbox, api } = setup();
  outbox.createSpan("s1", SPAN);
  outbox.createSpan("s2", { ...SPAN, start: 0, end: 3, quote: "CIA" });
  outbox.patchSpan("s1", { note: "check the source" });
  assert.equal(api.calls.length, 1);
  await settle();
  assert.deepEqual(
    api.calls.map((c) => `${c.method} ${c.url}`),
    ["POST /api/documents/7/spans/", "POST /api/documents/7/spans/", "PATCH /api/spans/1/"],
  );
  assert.deepEqual(api.calls[2].body, { note: "check the source", version: 1 });
  assert.equal(api.spans.get(1).note, "check the source");
  assert.equal(outbox.known.get("s1").version, 2);
});

test("changes to a span still waiting are folded into one request", async () => {
  const { outbox, api } = setup();
  outbox.createSpan("s0", SPAN); // in flight
  outbox.createSpan("s1", SPAN);
  outbox.patchSpan("s1", { note: "a" });
  outbox.patchSpan("s1", { note: "ab", label: "claim" });
  await settle();
  assert.equal(api.calls.length, 2);
  assert.deepEqual(api.calls[1].body, { client_id: "s1", ...SPAN, note: "ab", label: "claim" });
});

test("deleting a span that never left the page sends nothing, and drops its queued relations", async () => {
  const { outbox, api, events } = setup();
  outbox.createSpan("s0", SPAN); // in flight
  outbox.createSpan("s1", SPAN);
  outbox.createRelation("r1", { type: "denies", from: "s1", to: "s0" });
  outbox.deleteSpan("s1");
  assert.deepEqual(outbox.pending.map((op) => op.target), ["s0"]);
  await settle();
  assert.equal(api.calls.length, 1);
  assert.equal(events.states.at(-1), "saved");
});

test("network errors and 5xx are retried with exponential backoff on the injected clock", async () => {
  const { outbox, api, clock, events } = setup();
  api.online = false;
  outbox.createSpan("s1", SPAN);
  await settle();
  assert.equal(outbox.state, "offline");
  assert.deepEqual(clock.pendingDelays().slice(0, 1), [1000]);
  await clock.advance(1000);
  assert.equal(api.calls.length, 2);
  assert.deepEqual(clock.pendingDelays().slice(0, 1), [2000]);
  await clock.advance(1999);
  assert.equal(api.calls.length, 2, "not before the backoff is over");
  await clock.advance(1);
  assert.equal(api.calls.length, 3);
  api.online = true;
  api.failures = 1; // back, but the first answer is a 503
  await clock.advance(4000);
  assert.equal(api.calls.length, 4);
  assert.equal(outbox.state, "offline");
  await clock.advance(8000);
  assert.equal(outbox.state, "saved");
  assert.equal(api.spans.size, 1);
  assert.deepEqual(events.states, ["saving", "offline", "saving", "offline", "saving", "offline", "saving", "offline", "saving", "saved"]);
});

test("the backoff is capped", async () => {
  const { outbox, api, clock } = setup();
  api.online = false;
  outbox.createSpan("s1", SPAN);
  await settle();
  for (let i = 0; i < 10; i++) await clock.advance(60_000);
  assert.ok(clock.pendingDelays()[0] <= 60_000);
});

test("flush() retries at once when the browser says it is online again", async () => {
  const { outbox, api } = setup();
  api.online = false;
  outbox.createSpan("s1", SPAN);
  await settle();
  api.online = true;
  outbox.flush();
  await settle();
  assert.equal(outbox.state, "saved");
  assert.equal(api.spans.size, 1);
});

test("a create whose response was lost is sent again and the server's idempotency prevents a duplicate", async () => {
  const { outbox, api, clock } = setup();
  let lose = true;
  api.override = ({ method }) => {
    if (method === "POST" && lose) {
      lose = false;
      // The server commits, then the connection drops before the answer arrives.
      const s = { id: api.nextId++, version: 1, client_id: "s1", ...SPAN };
      api.spans.set(s.id, s);
      return { status: 502, json: { error: { code: "bad_gateway", message: "Bad gateway." } } };
    }
    return null;
  };
  outbox.createSpan("s1", SPAN);
  await settle();
  await clock.advance(1000);
  assert.equal(api.spans.size, 1);
  assert.equal(outbox.known.get("s1").id, 1);
  assert.equal(outbox.state, "saved");
});

test("the queue survives a reload and is sent by the new page, without duplicates", async () => {
  const storage = memoryStorage();
  const api = fakeApi();
  api.online = false;
  const first = setup({ api, storage });
  first.outbox.createSpan("s1", SPAN);
  first.outbox.createRelation("r1", { type: "denies", from: "s1", to: "s1" });
  await settle();
  assert.equal(JSON.parse(storage.getItem("factcheck.outbox.7.tab1")).queue.length, 2);
  // Reload: the same tab id (sessionStorage), a new Outbox, the network back.
  api.online = true;
  const second = setup({ api, storage });
  await settle();
  assert.equal(api.spans.size, 1);
  assert.equal(api.relations.size, 1);
  assert.equal(storage.map.size, 0);
  assert.equal(second.outbox.state, "saved");
});

test("a closed tab's unsent queue is taken over; an open tab's is left alone", async () => {
  const storage = memoryStorage();
  const api = fakeApi();
  const clock = fakeClock();
  api.online = false;
  const closed = setup({ api, storage, clock, tab: "closed" });
  closed.outbox.createSpan("s1", SPAN);
  await settle();
  const open = setup({ api, storage, clock, tab: "open" });
  open.outbox.createSpan("s2", SPAN);
  await settle();
  // The closed tab's timers die with it; the open tab keeps refreshing its record.
  for (const id of [1, 2, 3]) clock.clearTimeout(id);
  await clock.advance(40_000);
  api.online = true;
  const fresh = setup({ api, storage, clock, tab: "fresh" });
  assert.deepEqual(fresh.outbox.pending.map((op) => op.target), ["s1"]);
  assert.ok(storage.getItem("factcheck.outbox.7.open"));
  assert.equal(storage.getItem("factcheck.outbox.7.closed"), null);
});

test("a relation to a span not yet saved names it by client_id when its id is unknown", async () => {
  const { outbox, api } = setup();
  outbox.seed([{ client_id: "old", id: 50, version: 3 }]);
  api.spans.set(50, { id: 50, version: 3, client_id: "old", ...SPAN });
  api.nextId = 51;
  outbox.createSpan("new", SPAN);
  outbox.createRelation("r1", { type: "denies", from: "new", to: "old" });
  // The span create is in flight, so the relation waits behind it...
  assert.equal(api.calls.length, 1);
  await settle();
  // ...and by then the server has given the new span an id.
  assert.deepEqual(api.calls[1].body, { client_id: "r1", type: "denies", from_span: 51, to_span: 50 });
  // After a reload with the create lost from memory, the client_id is all there is.
  const body = outbox.request({ id: "x", kind: "relation.create", target: "r2", body: { type: "denies", from: "ghost", to: "old" } }).body;
  assert.deepEqual(body, { client_id: "r2", type: "denies", from_client_id: "ghost", to_span: 50 });
});

test("a 409 hands both versions to the page and updates the version for a retry", async () => {
  const { outbox, api, events } = setup();
  api.spans.set(5, { id: 5, version: 2, client_id: "s5", ...SPAN, note: "theirs" });
  outbox.seed([{ client_id: "s5", id: 5, version: 1 }]);
  outbox.patchSpan("s5", { note: "mine" });
  await settle();
  assert.equal(events.conflicts.length, 1);
  const { op, current, error } = events.conflicts[0];
  assert.equal(op.body.note, "mine");
  assert.equal(current.note, "theirs");
  assert.equal(error.code, "version_conflict");
  assert.equal(outbox.state, "saved");
  // The annotator keeps both: their note merged with the other tab's, sent on the new version.
  outbox.patchSpan("s5", { note: "theirs + mine" });
  await settle();
  assert.equal(api.spans.get(5).note, "theirs + mine");
  assert.equal(api.spans.get(5).version, 3);
});

test("a delete carries the version, and a 404 on delete counts as done", async () => {
  const { outbox, api, events } = setup();
  api.spans.set(5, { id: 5, version: 4, client_id: "s5", ...SPAN });
  outbox.seed([{ client_id: "s5", id: 5, version: 4 }, { client_id: "gone", id: 99, version: 1 }]);
  outbox.deleteSpan("s5");
  outbox.deleteSpan("gone");
  await settle();
  assert.equal(api.calls[0].url, "/api/spans/5/?version=4");
  assert.equal(api.spans.size, 0);
  assert.equal(events.acks.length, 2);
  assert.equal(events.errors.length, 0);
  assert.equal(outbox.known.has("s5"), false);
});

test("a 4xx reports the server's message and drops what depended on the refused create", async () => {
  const { outbox, api, events } = setup();
  outbox.createSpan("s0", SPAN);
  outbox.createSpan("bad", { ...SPAN, start: 9, end: 9 });
  outbox.patchSpan("bad", {}); // folded into the create
  outbox.createSpan("s2", SPAN);
  outbox.createRelation("r1", { type: "denies", from: "bad", to: "s0" });
  outbox.createRelation("r2", { type: "denies", from: "s2", to: "s0" });
  await settle();
  assert.equal(events.errors.length, 1);
  const { op, error, dropped } = events.errors[0];
  assert.equal(op.target, "bad");
  assert.equal(error.message, "start must be before end.");
  assert.deepEqual(dropped.map((d) => d.target), ["r1"]);
  assert.equal(api.spans.size, 2);
  assert.equal(api.relations.size, 1);
  assert.equal(outbox.state, "saved");
});

test("an expired session is retried, not dropped, so signing in again saves the work", async () => {
  const { outbox, api, clock } = setup();
  let signedIn = false;
  api.override = () => (signedIn ? null : { status: 403, json: { error: { code: "not_authenticated", message: "Sign in." } } });
  outbox.createSpan("s1", SPAN);
  await settle();
  assert.equal(outbox.state, "offline");
  signedIn = true;
  await clock.advance(1000);
  assert.equal(api.spans.size, 1);
});

test("deleting a relation that is saved sends DELETE with its id", async () => {
  const { outbox, api } = setup();
  api.relations.set(8, { id: 8, client_id: "r8", type: "denies", from_span: 1, to_span: 2 });
  outbox.seed([{ client_id: "r8", id: 8 }]);
  outbox.deleteRelation("r8");
  await settle();
  assert.equal(api.calls[0].method, "DELETE");
  assert.equal(api.calls[0].url, "/api/relations/8/");
  assert.equal(api.relations.size, 0);
});

test("applyPending shows unsaved work on top of the server's state after a reload", () => {
  const spans = [
    { client_id: "a", id: 1, label: "claim", note: "" },
    { client_id: "b", id: 2, label: "claim", note: "" },
  ];
  const relations = [{ client_id: "r1", type: "denies", from: "a", to: "b" }];
  const ops = [
    { id: "1", kind: "span.create", target: "c", body: { label: "denial", start: 0, end: 1 } },
    { id: "2", kind: "span.patch", target: "a", body: { note: "n" } },
    { id: "3", kind: "span.delete", target: "b", body: {} },
    { id: "4", kind: "relation.delete", target: "r1", body: {} },
    { id: "5", kind: "relation.create", target: "r2", body: { type: "denies", from: "c", to: "a" } },
    // A create the server already has (its response was lost) is not shown twice.
    { id: "6", kind: "span.create", target: "a", body: { label: "claim" } },
  ];
  const view = applyPending(spans, relations, ops);
  assert.deepEqual(view.spans.map((s) => s.client_id), ["a", "c"]);
  assert.equal(view.spans[0].note, "n");
  assert.deepEqual(view.relations, [{ type: "denies", from: "c", to: "a", client_id: "r2", id: null }]);
});

test("another layer's outbox sends creates to that layer and keeps its queue apart", async () => {
  const api = fakeApi();
  const storage = memoryStorage();
  const clock = fakeClock();
  api.online = false;
  const options = (tab, layer) => ({
    documentId: 7,
    layer,
    fetch: api.fetch,
    storage,
    tab,
    uuid: () => `op-${tab}`,
    now: clock.now,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
  });
  const gold = new Outbox(options("tab1", "gold"));
  gold.start();
  gold.createSpan("g1", SPAN);
  gold.createRelation("r1", { type: "denies", from: "g1", to: "g1" });
  await settle();
  assert.deepEqual(
    api.calls.map((c) => c.url),
    ["/api/documents/7/spans/?layer=gold"],
  );
  assert.ok(storage.map.has("factcheck.outbox.7@gold.tab1"));
  // That tab closes (its timers die with it). Long after, the annotator's own outbox of the
  // same document does not adopt the gold queue, and a gold outbox in another tab does.
  for (let id = 1; id <= 10; id++) clock.clearTimeout(id);
  await clock.advance(60_000);
  const own = new Outbox(options("tab2", undefined));
  assert.equal(own.pending.length, 0);
  const otherGold = new Outbox(options("tab3", "gold"));
  assert.deepEqual(otherGold.pending.map((op) => op.target), ["g1", "r1"]);
  api.online = true;
  otherGold.start();
  await settle();
  assert.equal(api.calls.at(-1).url, "/api/documents/7/relations/?layer=gold");
});
