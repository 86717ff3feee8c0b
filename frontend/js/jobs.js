// Progress of import and export jobs on the admin pages: each unfinished job's row polls
// its API URL and moves its bar; when a job finishes, the page reloads to show the
// server-rendered report (counts, errors by line, the download link).

import { call } from "./dom.js";

const POLL_MS = 700;
const FINAL = new Set(["done", "failed"]);

/**
 * @param {HTMLElement} row
 * @param {{status: string, percent: number, progress: number, total: number | null}} job
 */
export function showProgress(row, job) {
  const bar = row.querySelector("progress");
  if (bar) {
    bar.value = job.percent;
    bar.textContent = `${job.percent}%`;
  }
  const status = row.querySelector(".job-status");
  if (status) {
    status.textContent = job.status;
    status.className = `job-status status-${job.status}`;
  }
  const count = row.querySelector(".job-count");
  if (count) count.textContent = job.total ? `${job.progress}/${job.total}` : `${job.progress}`;
  row.dataset.status = job.status;
}

/**
 * Whether asking again can help after a failed poll: when the server was unreachable
 * (status 0), after a 5xx or a 429 it can; after any other 4xx (signed out, the job gone)
 * it never will, so the page reloads to say why.
 * @param {number} status
 */
export function worthRetrying(status) {
  return status === 0 || status >= 500 || status === 429;
}

/** @param {HTMLElement} row */
async function follow(row) {
  const url = row.dataset.jobUrl;
  if (!url) return;
  while (!FINAL.has(row.dataset.status || "")) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const { ok, status, json } = await call(url);
    if (ok) showProgress(row, json);
    else if (!worthRetrying(status)) break;
  }
  window.location.reload();
}

if (typeof document !== "undefined") {
  for (const row of document.querySelectorAll("tr.job")) {
    if (!FINAL.has(/** @type {HTMLElement} */ (row).dataset.status || "")) {
      follow(/** @type {HTMLElement} */ (row));
    }
  }
  document.documentElement.dataset.ready = "true";
}
