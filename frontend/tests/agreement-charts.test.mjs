import assert from "node:assert/strict";
import { test } from "node:test";

import { figureColour, formatFigure, histogram, pairMatrix } from "../js/agreement-charts.js";

test("figures show two decimals, a real minus sign, and n/a when undefined", () => {
  assert.equal(formatFigure(0.7349), "0.73");
  assert.equal(formatFigure(-0.05), "\u22120.05");
  assert.equal(formatFigure(null), "n/a");
  assert.equal(formatFigure(undefined), "n/a");
});

test("histogram bins values, clamps below the range and counts undefined apart", () => {
  const { edges, counts, undefinedCount } = histogram([-3, -1, 0.05, 0.95, 1, null], {
    bins: 4,
    low: -1,
    high: 1,
  });
  assert.deepEqual(edges, [-1, -0.5, 0, 0.5, 1]);
  assert.deepEqual(counts, [2, 0, 1, 2]);
  assert.equal(undefinedCount, 1);
});

test("the pair matrix is symmetric, sorted by name, empty on the diagonal", () => {
  const { annotators, cells } = pairMatrix(
    { "alice|bob": { f1: 0.8 }, "bob|carol": { f1: null } },
    "f1",
  );
  assert.deepEqual(annotators, ["alice", "bob", "carol"]);
  assert.equal(cells[0][1], 0.8);
  assert.equal(cells[1][0], 0.8);
  assert.equal(cells[1][2], null);
  assert.equal(cells[0][2], undefined);
  assert.equal(cells[0][0], undefined);
});

test("colours run from red at 0 to green at 1 and grey for undefined", () => {
  assert.equal(figureColour(0), "hsl(0 65% 62%)");
  assert.equal(figureColour(-0.4), "hsl(0 65% 62%)");
  assert.equal(figureColour(1), "hsl(120 65% 48%)");
  assert.equal(figureColour(null), "hsl(220 10% 85%)");
});
