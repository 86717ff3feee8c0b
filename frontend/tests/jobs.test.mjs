import { test } from "node:test";
import assert from "node:assert/strict";

import { showProgress, worthRetrying } from "../js/jobs.js";

/** A table row with the parts jobs.js updates, as plain objects. */
function fakeRow() {
  const parts = {
    progress: { value: 0, textContent: "" },
    ".job-status": { textContent: "queued", className: "job-status status-queued" },
    ".job-count": { textContent: "0" },
  };
  return { dataset: { status: "queued" }, querySelector: (selector) => parts[selector], parts };
}

test("a running job moves its bar, status and count", () => {
  const row = fakeRow();
  showProgress(/** @type {any} */ (row), { status: "running", percent: 45, progress: 450, total: 1000 });
  assert.equal(row.parts.progress.value, 45);
  assert.equal(row.parts.progress.textContent, "45%");
  assert.equal(row.parts[".job-status"].textContent, "running");
  assert.equal(row.parts[".job-status"].className, "job-status status-running");
  assert.equal(row.parts[".job-count"].textContent, "450/1000");
  assert.equal(row.dataset.status, "running");
});

test("a job whose total is not known yet shows its count alone", () => {
  const row = fakeRow();
  showProgress(/** @type {any} */ (row), { status: "running", percent: 0, progress: 12, total: null });
  assert.equal(row.parts[".job-count"].textContent, "12");
});

test("a poll is retried when the server is unreachable, after a server error or throttling, not after another refusal", () => {
  assert.equal(worthRetrying(0), true);
  assert.equal(worthRetrying(502), true);
  assert.equal(worthRetrying(429), true);
  assert.equal(worthRetrying(403), false);
  assert.equal(worthRetrying(404), false);
});
