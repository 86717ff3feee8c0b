// @ts-check
/**
 * The project dashboard's "annotators against gold" table: each annotator's span F1 with
 * the gold layer (exact and overlap match, overall and per label), from the review API,
 * over the project's accepted documents.
 *
 * @module quality
 */

import { formatFigure } from "./agreement-charts.js";
import { call, h } from "./dom.js";

/**
 * @param {HTMLElement} section
 * @param {any} data  GET /api/projects/{id}/quality/
 */
function renderQuality(section, data) {
  const body = /** @type {HTMLElement} */ (section.querySelector("[data-quality]"));
  if (!data.documents) {
    body.replaceChildren(h("p", { class: "sub" }, ["No accepted document has a gold layer yet: these figures appear once one does."]));
    return;
  }
  const labels = [...new Set(data.annotators.flatMap((/** @type {any} */ a) => Object.keys(a.by_label)))].sort();
  const head = h("tr", {}, [
    h("th", { scope: "col" }, ["Annotator"]),
    h("th", { scope: "col" }, ["Documents"]),
    h("th", { scope: "col" }, ["F1 exact"]),
    h("th", { scope: "col" }, ["F1 overlap"]),
    ...labels.map((label) => h("th", { scope: "col" }, [`${label} (exact / overlap)`])),
  ]);
  const rows = data.annotators.map((/** @type {any} */ a) =>
    h("tr", {}, [
      h("th", { scope: "row" }, [a.username]),
      h("td", { class: "num" }, [String(a.documents)]),
      h("td", { class: "num" }, [formatFigure(a.f1_exact)]),
      h("td", { class: "num" }, [formatFigure(a.f1_overlap)]),
      ...labels.map((label) => {
        const figures = a.by_label[label];
        return h("td", { class: "num" }, [figures ? `${formatFigure(figures.f1_exact)} / ${formatFigure(figures.f1_overlap)}` : "n/a"]);
      }),
    ]),
  );
  body.replaceChildren(
    h("p", { class: "sub" }, [`Span F1 against gold on ${data.documents} accepted document${data.documents === 1 ? "" : "s"}.`]),
    h("table", { class: "figures" }, [h("thead", {}, [head]), h("tbody", {}, rows)]),
  );
}

const section = document.getElementById("annotator-quality");
if (section?.dataset.api) {
  call(section.dataset.api).then((result) => {
    if (result.ok) renderQuality(section, result.json);
    else /** @type {HTMLElement} */ (section.querySelector("[data-quality]")).textContent = `The figures could not be loaded: ${result.json.error.message}`;
  });
}
