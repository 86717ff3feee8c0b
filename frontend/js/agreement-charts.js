// @ts-check
/**
 * Pure helpers of the agreement dashboard: formatting, histogram bins, the pair matrix
 * and the colour scale. No DOM here, so `node --test` covers them.
 *
 * @module agreement-charts
 */

/** @typedef {number | null | undefined} Figure */

/**
 * A figure for people: two decimals, a real minus sign, "n/a" where undefined.
 * @param {Figure} value
 * @returns {string}
 */
export function formatFigure(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return "n/a";
  const text = value.toFixed(2);
  return text.startsWith("-") ? `\u2212${text.slice(1)}` : text;
}

/**
 * Counts of figures in equal bins over [low, high]; values below `low` fall in the first
 * bin (alpha has no lower bound), undefined ones are counted apart.
 * @param {Figure[]} values
 * @param {{bins?: number, low?: number, high?: number}} [options]
 * @returns {{edges: number[], counts: number[], undefinedCount: number}}
 */
export function histogram(values, { bins = 10, low = -1, high = 1 } = {}) {
  const width = (high - low) / bins;
  const counts = new Array(bins).fill(0);
  let undefinedCount = 0;
  for (const value of values) {
    if (value === null || value === undefined || Number.isNaN(value)) {
      undefinedCount += 1;
      continue;
    }
    const index = Math.min(bins - 1, Math.max(0, Math.floor((value - low) / width)));
    counts[index] += 1;
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => low + i * width);
  return { edges, counts, undefinedCount };
}

/**
 * The symmetric annotator × annotator matrix of one pair figure.
 * @param {Record<string, Record<string, Figure>>} pairs keyed "alice|bob"
 * @param {string} metric
 * @returns {{annotators: string[], cells: Figure[][]}}
 */
export function pairMatrix(pairs, metric) {
  const names = new Set();
  for (const key of Object.keys(pairs)) {
    for (const name of key.split("|")) names.add(name);
  }
  const annotators = [...names].sort();
  const index = new Map(annotators.map((name, i) => [name, i]));
  /** @type {Figure[][]} */
  const cells = annotators.map(() => annotators.map(() => undefined));
  for (const [key, figures] of Object.entries(pairs)) {
    const [a, b] = key.split("|");
    const i = /** @type {number} */ (index.get(a));
    const j = /** @type {number} */ (index.get(b));
    cells[i][j] = figures[metric];
    cells[j][i] = figures[metric];
  }
  return { annotators, cells };
}

/**
 * Fill colour of a figure: red at 0 and below, through yellow, to green at 1; grey when
 * undefined. Returned as an `hsl()` string for an SVG fill attribute.
 * @param {Figure} value
 * @returns {string}
 */
export function figureColour(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return "hsl(220 10% 85%)";
  const share = Math.min(1, Math.max(0, value));
  return `hsl(${Math.round(share * 120)} 65% ${Math.round(62 - share * 14)}%)`;
}
