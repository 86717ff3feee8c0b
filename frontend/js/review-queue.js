// @ts-check
/**
 * The review queue's one script: the Assign… dialog, which adds an annotator (named, or
 * the least loaded) to a document or removes one, through the review API, then reloads.
 *
 * @module review-queue
 */

import { call, h } from "./dom.js";

const dataEl = document.getElementById("assign-data");
const dialog = /** @type {HTMLDialogElement | null} */ (document.getElementById("assign-dialog"));
if (dataEl?.textContent && dialog) {
  /** @type {{rows: Record<string, {title: string, project: number, annotators: {username: string, status: string, version: number}[]}>, members: Record<string, string[]>}} */
  const data = JSON.parse(dataEl.textContent);
  const message = /** @type {HTMLElement} */ (dialog.querySelector("[data-message]"));
  const select = /** @type {HTMLSelectElement} */ (dialog.querySelector("[data-member]"));
  let documentId = "";

  /** @param {{ok: boolean, json: any}} result */
  const done = (result) => {
    if (result.ok) location.reload();
    else message.textContent = `Not changed: ${result.json.error.message}`;
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
        call(`${api}${encodeURIComponent(name)}/?version=${remove.dataset.version}`, { method: "DELETE" }).then(done);
      }
    } else if (t.closest("button[data-add]")) {
      if (select.value) call(api, { method: "POST", body: { annotator: select.value } }).then(done);
    } else if (t.closest("button[data-least-loaded]")) {
      call(api, { method: "POST", body: { least_loaded: true } }).then(done);
    }
  });
}
