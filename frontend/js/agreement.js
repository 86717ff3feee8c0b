// @ts-check
/**
 * The project agreement dashboard. Reads the figures the page embeds with json_script
 * and draws everything itself: headline cards, the per-label table, the annotator-pair
 * heatmap and the distribution of per-document uα as SVG, and the lowest documents.
 * No external scripts, no inline handlers (the page's CSP forbids them).
 *
 * @module agreement
 */

import { figureColour, formatFigure, histogram, pairMatrix } from "./agreement-charts.js";
import { h } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";

/** Headline figures, in the order shown; uα is the project's headline. */
const HEADLINE = [
  ["u_alpha", "uα", "unitizing alpha (Krippendorff et al. 2016)"],
  ["alpha_u", "αU", "unitizing alpha (Krippendorff 2004)"],
  ["abs_u_alpha", "|uα", "marked vs unmarked text"],
  ["cu_alpha", "cuα", "labels where spans intersect"],
  ["char_alpha", "char α", "character-level nominal alpha"],
  ["f1_overlap", "F1 overlap", "span F1, same label and any overlap"],
  ["f1_exact", "F1 exact", "span F1, identical offsets and label"],
  ["relations_f1", "Relation F1", "relations between matched spans"],
];

/** Per-label columns: heading and the metrics key holding {label: value}. */
const LABEL_COLUMNS = [
  ["αU", "alpha_u_by_label"],
  ["(k)uα", "k_u_alpha_by_label"],
  ["char α", "char_alpha_by_label"],
  ["F1 exact", "f1_exact_by_label"],
  ["F1 overlap", "f1_overlap_by_label"],
];

const PAIR_METRICS = [
  ["f1_overlap", "F1 overlap"],
  ["char_alpha", "char α"],
  ["f1_exact", "F1 exact"],
  ["relations_f1", "Relation F1"],
];

/**
 * @param {string} tag
 * @param {Record<string, string | number>} [attributes]
 * @param {(Node | string)[]} [children]
 * @returns {SVGElement}
 */
function svg(tag, attributes = {}, children = []) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

/** @param {any} metrics */
function drawHeadline(metrics) {
  const count = metrics.documents;
  const basis = `over ${count} document${count === 1 ? "" : "s"}`;
  const cards = HEADLINE.map(([key, name, meaning]) =>
    h("div", { class: "figure-card", "data-metric": key }, [
      h("span", { class: "figure-name" }, [name]),
      h("span", { class: "figure-value" }, [formatFigure(metrics[key])]),
      h("span", { class: "figure-basis" }, [`${meaning}, ${basis}`]),
    ]),
  );
  /** @type {HTMLElement} */ (document.getElementById("headline")).replaceChildren(...cards);
}

/** @param {any} metrics */
function drawLabelTable(metrics) {
  const labels = new Set();
  for (const [, key] of LABEL_COLUMNS) for (const label of Object.keys(metrics[key] ?? {})) labels.add(label);
  const head = h("thead", {}, [
    h("tr", {}, [
      h("th", { scope: "col" }, ["Label"]),
      ...LABEL_COLUMNS.map(([heading]) => h("th", { scope: "col" }, [heading])),
    ]),
  ]);
  const body = h(
    "tbody",
    {},
    [...labels].sort().map((label) =>
      h("tr", {}, [
        h("th", { scope: "row" }, [label]),
        ...LABEL_COLUMNS.map(([, key]) => h("td", {}, [formatFigure(metrics[key]?.[label])])),
      ]),
    ),
  );
  const table = /** @type {HTMLElement} */ (document.getElementById("label-table"));
  table.replaceChildren(head, body);
}

/**
 * @param {any} pairs
 * @param {string} metric
 * @param {string} metricName
 */
function drawHeatmap(pairs, metric, metricName) {
  const { annotators, cells } = pairMatrix(pairs, metric);
  const target = /** @type {HTMLElement} */ (document.getElementById("pair-heatmap"));
  if (annotators.length === 0) {
    target.replaceChildren(h("p", {}, ["No annotator pair has submitted the same document yet."]));
    return;
  }
  const cell = 56;
  const margin = 110;
  const size = margin + cell * annotators.length;
  const chart = svg("svg", {
    viewBox: `0 0 ${size} ${size}`,
    width: size,
    height: size,
    role: "img",
    "aria-label": `${metricName} for each pair of annotators`,
  });
  annotators.forEach((name, i) => {
    chart.append(
      svg("text", { x: margin - 6, y: margin + cell * i + cell / 2, class: "axis", "text-anchor": "end", "dominant-baseline": "middle" }, [name]),
      svg("text", { x: margin + cell * i + cell / 2, y: margin - 6, class: "axis", "text-anchor": "start", transform: `rotate(-45 ${margin + cell * i + cell / 2} ${margin - 6})` }, [name]),
    );
    cells[i].forEach((value, j) => {
      const x = margin + cell * j;
      const y = margin + cell * i;
      const own = i === j;
      const label = own ? "" : formatFigure(value);
      chart.append(
        svg("rect", { x, y, width: cell - 2, height: cell - 2, fill: own ? "hsl(220 10% 96%)" : figureColour(value) }, [
          svg("title", {}, [own ? name : `${annotators[i]} and ${name}: ${metricName} ${label}`]),
        ]),
        svg("text", { x: x + cell / 2 - 1, y: y + cell / 2, class: "cell", "text-anchor": "middle", "dominant-baseline": "middle" }, [label]),
      );
    });
  });
  target.replaceChildren(chart);
}

/** @param {{u_alpha: number | null}[]} documents */
function drawDistribution(documents) {
  const { edges, counts, undefinedCount } = histogram(documents.map((d) => d.u_alpha));
  const target = /** @type {HTMLElement} */ (document.getElementById("distribution"));
  const width = 460;
  const height = 220;
  const bottom = 30;
  const pad = 24;
  // The "n/a" bar stands apart from the numeric axis, after a gap of one bar.
  const barWidth = (width - 2 * pad) / (counts.length + 2);
  const tallest = Math.max(1, undefinedCount, ...counts);
  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${height + bottom}`,
    width,
    height: height + bottom,
    role: "img",
    "aria-label": `Histogram of per-document uα over ${documents.length} documents; ${undefinedCount} undefined`,
  });
  /**
   * @param {number} x
   * @param {number} count
   * @param {string} fill
   * @param {string} range
   */
  const bar = (x, count, fill, range) => {
    const barHeight = (count / tallest) * (height - 20);
    chart.append(
      svg("rect", { x: x + 1, y: height - barHeight, width: barWidth - 2, height: barHeight, fill }, [
        svg("title", {}, [`${range}: ${count} document${count === 1 ? "" : "s"}`]),
      ]),
    );
    if (count > 0) {
      chart.append(svg("text", { x: x + barWidth / 2, y: height - barHeight - 4, class: "cell", "text-anchor": "middle" }, [String(count)]));
    }
  };
  const step = edges[1] - edges[0];
  counts.forEach((count, i) => {
    const x = pad + i * barWidth;
    bar(x, count, figureColour(edges[i] + step / 2), `${formatFigure(edges[i])} to ${formatFigure(edges[i + 1])}`);
  });
  edges.forEach((edge, i) => {
    if (i % 5 === 0) {
      chart.append(svg("text", { x: pad + i * barWidth, y: height + 16, class: "axis", "text-anchor": "middle" }, [formatFigure(edge)]));
    }
  });
  const undefinedX = pad + (counts.length + 1) * barWidth;
  bar(undefinedX, undefinedCount, figureColour(null), "n/a");
  chart.append(svg("text", { x: undefinedX + barWidth / 2, y: height + 16, class: "axis", "text-anchor": "middle" }, ["n/a"]));
  target.replaceChildren(chart);
}

/**
 * @param {{id: number, title: string, status: string, u_alpha: number | null, url: string}[]} lowest
 *   the server's own pick, lowest first and undefined after every number
 */
function drawLowest(lowest) {
  const items = lowest.map((doc) => {
    const title = h("a", { href: doc.url, dir: "auto" }, [doc.title]);
    return h("li", { "data-document": String(doc.id) }, [
      h("span", { class: "figure-value" }, [formatFigure(doc.u_alpha)]),
      " ",
      title,
      h("span", { class: "figure-basis" }, [` · ${doc.status.replace("_", " ")}`]),
    ]);
  });
  const list = /** @type {HTMLElement} */ (document.getElementById("lowest"));
  list.replaceChildren(...(items.length ? items : [h("li", {}, ["No document has two submitted layers yet."])]));
}

function main() {
  const source = /** @type {HTMLElement} */ (document.getElementById("agreement-data"));
  const data = JSON.parse(source.textContent ?? "{}");
  const metrics = data.metrics;
  drawHeadline(metrics);
  drawLabelTable(metrics);
  const select = /** @type {HTMLSelectElement} */ (document.getElementById("pair-metric"));
  select.replaceChildren(...PAIR_METRICS.map(([key, name]) => h("option", { value: key }, [name])));
  const redraw = () => drawHeatmap(metrics.pairs, select.value, select.selectedOptions[0].textContent ?? "");
  select.addEventListener("change", redraw);
  redraw();
  drawDistribution(data.documents);
  drawLowest(data.lowest);
}

main();
