import { test } from "node:test";
import assert from "node:assert/strict";

import { nextOpen, ordered, reviewAction, step, visible } from "../js/candidates.js";

const spans = [
  { key: "claim:0:5", agreed: true, voters: ["a", "b"], status: "accepted" },
  { key: "claim:10:20", agreed: false, voters: ["a"], status: "open" },
  { key: "denial:30:40", agreed: false, voters: ["b"], status: "open" },
];
const relations = [
  { key: "denies>denial:30:40>claim:10:20", agreed: false, voters: ["b"], status: "open" },
  { key: "same>claim:0:5>claim:0:5", agreed: true, voters: ["a", "b"], status: "open" },
];

test("disagreements come first, spans before relations, document order kept", () => {
  const list = ordered(spans, relations);
  assert.deepEqual(
    list.map((c) => [c.kind, c.key]),
    [
      ["span", "claim:10:20"],
      ["span", "denial:30:40"],
      ["relation", "denies>denial:30:40>claim:10:20"],
      ["span", "claim:0:5"],
      ["relation", "same>claim:0:5>claim:0:5"],
    ],
  );
});

test("hiding an annotator hides only what nobody shown proposed", () => {
  const list = ordered(spans, relations);
  assert.deepEqual(
    visible(list, new Set(["b"])).map((c) => c.key),
    ["claim:10:20", "claim:0:5", "same>claim:0:5>claim:0:5"],
  );
  assert.equal(visible(list, new Set()).length, 5);
});

test("j and k walk the list and stop at its ends", () => {
  const list = ordered(spans, relations);
  assert.equal(step(list, null, 1), "claim:10:20");
  assert.equal(step(list, null, -1), "same>claim:0:5>claim:0:5");
  assert.equal(step(list, "claim:10:20", 1), "denial:30:40");
  assert.equal(step(list, "claim:10:20", -1), "claim:10:20");
  assert.equal(step(list, "same>claim:0:5>claim:0:5", 1), "same>claim:0:5>claim:0:5");
  assert.equal(step([], null, 1), null);
});

test("after a decision the next open candidate comes, wrapping round", () => {
  const list = ordered(spans, relations).map((c) => (c.key === "claim:10:20" ? { ...c, status: "rejected" } : c));
  assert.equal(nextOpen(list, "claim:10:20"), "denial:30:40");
  assert.equal(nextOpen(list, "same>claim:0:5>claim:0:5"), "denial:30:40");
  const done = list.map((c) => ({ ...c, status: "accepted" }));
  assert.equal(nextOpen(done, "claim:10:20"), null);
});

const labelKeys = new Map([
  ["c", "claim"],
  ["d", "denial"],
  ["a", "attribution"],
  ["1", "quote"],
]);
const reviewing = { mode: "candidates", inEditable: false, dialogOpen: false, goldIdle: true, selection: false, labelKeys };

test("reviewing candidates: one key each to walk, accept, reject, reopen, edit gold", () => {
  const act = (key, extra = {}) => reviewAction({ key, ...extra }, reviewing)?.type ?? null;
  assert.equal(act("j"), "next");
  assert.equal(act("ArrowDown"), "next");
  assert.equal(act("k"), "prev");
  assert.equal(act("Enter"), "accept");
  assert.equal(act("Delete"), "reject");
  assert.equal(act("Backspace"), "reject");
  assert.equal(act("u"), "reopen");
  assert.equal(act("g"), "gold");
  assert.equal(act("?"), "help");
  assert.equal(act("c"), null, "a label key without a selection means nothing here");
  assert.equal(act("j", { ctrlKey: true }), null);
});

test("with text selected, a label's key (Alt too) draws a gold span", () => {
  const state = { ...reviewing, selection: true };
  assert.equal(reviewAction({ key: "c" }, state)?.type, "goldCreate");
  assert.equal(reviewAction({ key: "ç", altKey: true, code: "KeyC" }, state)?.type, "goldCreate");
  assert.equal(reviewAction({ key: "¡", altKey: true, code: "Digit1" }, state)?.type, "goldCreate");
  assert.equal(reviewAction({ key: "j" }, state)?.type, "next");
});

test("in the gold editor only an idle Escape comes back; typing and dialogs are left alone", () => {
  const gold = { ...reviewing, mode: "gold" };
  assert.equal(reviewAction({ key: "Escape" }, gold)?.type, "candidates");
  assert.equal(reviewAction({ key: "Escape" }, { ...gold, goldIdle: false }), null);
  assert.equal(reviewAction({ key: "j" }, gold), null);
  assert.equal(reviewAction({ key: "Enter" }, { ...reviewing, inEditable: true }), null);
  assert.equal(reviewAction({ key: "j" }, { ...reviewing, dialogOpen: true }), null);
});
