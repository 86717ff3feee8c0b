import { test } from "node:test";
import assert from "node:assert/strict";

import { DocumentText } from "../js/offsets.js";
import { SpanLayout, compareSpans } from "../js/layout.js";

const TEXT =
  "A CIA spokeswoman, Liz Lyons 😀, called the allegations unfounded.\n" +
  "\n" +
  "Officials said intelligence was mishandled.";

/** @param {string} key @param {number} start @param {number} end @param {string} [label] */
const span = (key, start, end, label = "claim") => ({ key, start, end, label });

test("a span's pieces are per paragraph, in UTF-16 offsets of each text node", () => {
  const doc = new DocumentText(TEXT);
  const layout = new SpanLayout(doc);
  // From "Liz" to "Officials" crosses the emoji (one code point, two code units) and an empty paragraph.
  const cps = Array.from(TEXT);
  const start = cps.join("").indexOf("Liz");
  const startCp = Array.from(TEXT.slice(0, start)).length;
  const endCp = Array.from(TEXT.slice(0, TEXT.indexOf("Officials") + 9)).length;
  const placed = layout.add(span("s1", startCp, endCp));
  const p0 = doc.paragraphs[0].text;
  assert.deepEqual(placed.pieces, [
    { paragraph: 0, start: p0.indexOf("Liz"), end: p0.length },
    { paragraph: 2, start: 0, end: 9 },
  ]);
});

test("nested and crossing spans get different depths; disjoint ones reuse depth 0", () => {
  const layout = new SpanLayout(new DocumentText(TEXT));
  assert.equal(layout.add(span("claim", 0, 60)).depth, 0);
  assert.equal(layout.add(span("attr", 2, 28, "attribution")).depth, 1);
  assert.equal(layout.add(span("cross", 20, 70, "denial")).depth, 2);
  assert.equal(layout.add(span("later", 70, 80)).depth, 0);
  // Touching is not overlapping (end is exclusive): only "cross" (depth 2) holds 60..62.
  assert.equal(layout.add(span("touch", 60, 62)).depth, 0);
});

test("a removed span frees its depth for the next one", () => {
  const layout = new SpanLayout(new DocumentText(TEXT));
  layout.add(span("a", 0, 10));
  layout.add(span("b", 0, 10));
  layout.remove("a");
  assert.equal(layout.add(span("c", 5, 8)).depth, 0);
  assert.equal(layout.remove("missing"), undefined);
});

test("document order is start, then the outer span first, for j and k", () => {
  const layout = new SpanLayout(new DocumentText(TEXT));
  layout.add(span("inner", 2, 5));
  layout.add(span("late", 30, 40));
  layout.add(span("outer", 2, 20));
  layout.add(span("first", 0, 1));
  assert.deepEqual(layout.order.map((s) => s.key), ["first", "outer", "inner", "late"]);
  assert.equal(layout.next(null)?.key, "first");
  assert.equal(layout.next("first")?.key, "outer");
  assert.equal(layout.next("late"), null);
  assert.equal(layout.prev(null)?.key, "late");
  assert.equal(layout.prev("outer")?.key, "first");
  assert.equal(layout.prev("first"), null);
  assert.equal(compareSpans(span("a", 1, 2), span("b", 1, 2)), -1);
});

test("at() lists the spans on a character innermost first, for click cycling", () => {
  const layout = new SpanLayout(new DocumentText(TEXT));
  layout.add(span("claim", 0, 60));
  layout.add(span("attr", 2, 28));
  layout.add(span("word", 6, 17));
  assert.deepEqual(layout.at(10).map((s) => s.key), ["word", "attr", "claim"]);
  assert.deepEqual(layout.at(1).map((s) => s.key), ["claim"]);
  assert.deepEqual(layout.at(60), []);
});

test("update moves a span to its new place in order and redraws only it", () => {
  const layout = new SpanLayout(new DocumentText(TEXT));
  layout.add(span("a", 0, 5));
  layout.add(span("b", 10, 15));
  const { before, after } = layout.update(span("a", 20, 25, "denial"));
  assert.deepEqual(before?.span, span("a", 0, 5));
  assert.equal(after.span.label, "denial");
  assert.deepEqual(layout.order.map((s) => s.key), ["b", "a"]);
  assert.throws(() => layout.add(span("b", 1, 2)), /already placed/);
});

test("overlap search stays correct after the longest span is removed", () => {
  const layout = new SpanLayout(new DocumentText(TEXT));
  layout.add(span("long", 0, 100));
  layout.add(span("x", 50, 52));
  layout.remove("long");
  assert.deepEqual(layout.overlapping(51, 53).map((s) => s.key), ["x"]);
});

test("it agrees with a brute-force layout on random spans", () => {
  const text = "word ".repeat(2000);
  const layout = new SpanLayout(new DocumentText(text));
  let seed = 7;
  const rand = (n) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const live = new Map();
  for (let i = 0; i < 600; i++) {
    if (live.size > 0 && rand(4) === 0) {
      const key = [...live.keys()][rand(live.size)];
      layout.remove(key);
      live.delete(key);
      continue;
    }
    const start = rand(9900);
    const s = span(`k${i}`, start, start + 1 + rand(rand(10) === 0 ? 80 : 15));
    const placed = layout.add(s);
    live.set(s.key, s);
    // Depth is the lowest lane no overlapping live span holds.
    const taken = new Set(
      [...live.values()].filter((o) => o !== s && o.start < s.end && s.start < o.end).map((o) => layout.get(o.key).depth),
    );
    assert.ok(!taken.has(placed.depth));
    for (let d = 0; d < placed.depth; d++) assert.ok(taken.has(d));
  }
  const expected = [...live.values()].sort(compareSpans).map((s) => s.key);
  assert.deepEqual(layout.order.map((s) => s.key), expected);
  for (let cp = 0; cp < 10000; cp += 37) {
    const brute = [...live.values()].filter((o) => o.start <= cp && cp < o.end).map((o) => o.key).sort();
    assert.deepEqual(layout.at(cp).map((s) => s.key).sort(), brute, `at ${cp}`);
  }
});

test("placing 1,000 spans on a 50,000-character article does constant work per span", () => {
  const text = Array.from({ length: 500 }, () => "x".repeat(99)).join("\n");
  const layout = new SpanLayout(new DocumentText(text));
  for (let i = 0; i < 1000; i++) layout.add(span(`s${i}`, i * 49, i * 49 + 30));
  assert.equal(layout.size, 1000);
  // Each new span sees only its neighbours, not all 1,000.
  assert.ok(layout.overlapping(25000, 25030).length <= 3);
});
