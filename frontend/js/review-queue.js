// @ts-check
/**
 * The review queue's one script: the Assign… dialog, which adds an annotator (named, or
 * the least loaded) to a document or removes one, through the review API, then reloads.
 *
 * @module review-queue
 */

import { csrfToken, h } from "./dom.js";

/**
 * @param {string} url
 * @param {string} method
 * @param {any} [body]
 * @returns {Promise<string | null>} the server's message when it refused, else null
 */
async function send(url, method, body) {
  try {
    const response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.ok) return null;
    const json = await response.json().catch(() => null);
    return json?.error?.message ?? `HTTP ${response.status}`;
  } catch {
    return "The server could not be reached; nothing was changed.";
  }
}

const dataEl = document.getElementById("assign-data");
const dialog = /** @type {HTMLDialogElement | null} */ (document.getElementById("assign-dialog"));
if (dataEl?.textContent && dialog) {
  /** @type {{rows: Record<string, {title: string, project: number, annotators: {username: string, status: string, version: number}[]}>, members: Record<string, string[]>}} */
  const data = JSON.parse(dataEl.textContent);
  const message = /** @type {HTMLElement} */ (dialog.querySelector("[data-message]"));
  const select = /** @type {HTMLSelectElement} */ (dialog.querySelector("[data-member]"));
  let documentId = "";

  /** @param {string | null} refusal */
  const done = (refusal) => {
    if (refusal) message.textContent = `Not changed: ${refusal}`;
    else location.reload();
  };

  document.addEventListener("click", (e) => {
    const t = /** @type {Element} */ (e.target);
    const opener = t.closest("button[data-assign]");
    if (opener instanceof HTMLButtonElement) {
      documentId = /** @type {string} */ (opener.dataset.assign);
      const row = data.rows[documentId];
      /** @type {HTMLElement} */ (dialog.querySelector("[data-title]")).textContent = row.title;
      const assigned = new Set(row.annotators.map((a) => a.username));
      /** @type {HTMLElement} */ (dialog.querySelector("[data-assigned]")).replaceChildren(
        ...row.annotators.map((a) =>
          h("li", {}, [
            `${a.username} (${a.status.replace("_", " ")}) `,
            h("button", { type: "button", "data-remove": a.username, "data-version": String(a.version) }, ["Remove"]),
          ]),
        ),
      );
      select.replaceChildren(
        ...(data.members[String(row.project)] ?? []).filter((name) => !assigned.has(name)).map((name) => h("option", {}, [name])),
      );
      message.textContent = "";
      dialog.showModal();
      return;
    }
    if (!dialog.contains(t)) return;
    const api = `/api/documents/${documentId}/assignments/`;
    const remove = t.closest("button[data-remove]");
    if (remove instanceof HTMLButtonElement) {
      const name = /** @type {string} */ (remove.dataset.remove);
      if (confirm(`Remove ${name} and their layer from this document?`)) {
        send(`${api}${encodeURIComponent(name)}/?version=${remove.dataset.version}`, "DELETE").then(done);
      }
    } else if (t.closest("button[data-add]")) {
      if (select.value) send(api, "POST", { annotator: select.value }).then(done);
    } else if (t.closest("button[data-least-loaded]")) {
      send(api, "POST", { least_loaded: true }).then(done);
    }
  });
}
