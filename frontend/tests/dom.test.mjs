import assert from "node:assert/strict";
import { afterEach, test } from "node:test";

import { call, when } from "../js/dom.js";

globalThis.document = /** @type {any} */ ({ cookie: "theme=dark; csrftoken=t%2Fok" });
const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
});

/**
 * Answer every fetch with `answer`, and keep what was asked.
 * @param {() => Promise<Response>} answer
 */
function serve(answer) {
  /** @type {{url: string, init: RequestInit}[]} */
  const asked = [];
  globalThis.fetch = async (url, init) => {
    asked.push({ url: String(url), init: init ?? {} });
    return answer();
  };
  return asked;
}

test("a call sends JSON with the session cookie and the CSRF token, and reads JSON back", async () => {
  const asked = serve(async () => Response.json({ id: 7 }, { status: 201 }));

  const result = await call("/api/things/", { method: "POST", body: { name: "x" } });

  assert.deepEqual(result, { ok: true, status: 201, json: { id: 7 } });
  assert.equal(asked[0].url, "/api/things/");
  assert.equal(asked[0].init.method, "POST");
  assert.equal(asked[0].init.credentials, "same-origin");
  assert.equal(asked[0].init.body, '{"name":"x"}');
  assert.deepEqual(asked[0].init.headers, {
    Accept: "application/json",
    "Content-Type": "application/json",
    "X-CSRFToken": "t/ok",
  });
});

test("a GET sends no body and a 204 reads as null", async () => {
  const asked = serve(async () => new Response(null, { status: 204 }));

  assert.deepEqual(await call("/api/things/1/"), { ok: true, status: 204, json: null });
  assert.equal(asked[0].init.method, "GET");
  assert.equal(asked[0].init.body, undefined);
});

test("a refusal in the error shape is passed on as the server worded it", async () => {
  const error = { code: "lease_taken", message: "erin is reviewing this document." };
  serve(async () => Response.json({ error }, { status: 409 }));

  assert.deepEqual(await call("/api/x/", { method: "POST", body: {} }), { ok: false, status: 409, json: { error } });
});

test("an answer without the error shape still gets a message a person can act on", async () => {
  serve(async () => new Response("<h1>Bad gateway</h1>", { status: 502, headers: { "Content-Type": "text/html" } }));

  const result = await call("/api/x/");

  assert.equal(result.ok, false);
  assert.equal(result.status, 502);
  assert.deepEqual(result.json.error, {
    code: "http_error",
    message: "The server answered HTTP 502 without saying why; try again in a minute, and tell an admin if it keeps failing.",
  });
});

test("an unreachable server is a failed call with a message, never a thrown error", async () => {
  serve(async () => {
    throw new TypeError("Failed to fetch");
  });

  assert.deepEqual(await call("/api/x/", { method: "DELETE" }), {
    ok: false,
    status: 0,
    json: { error: { code: "offline", message: "The server could not be reached; nothing was changed. Try again." } },
  });
});

test("server times show day, month and time in UTC, whatever the reader's zone", () => {
  assert.equal(when("2024-03-05T14:07:00Z"), "5 Mar, 14:07 UTC");
  assert.equal(when("2024-03-05T23:30:00-02:00"), "6 Mar, 01:30 UTC");
});
