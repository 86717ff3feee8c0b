import { test } from "node:test";
import assert from "node:assert/strict";

import { RESERVED, buildKeymap, resolveKey } from "../js/keymap.js";

const SCHEMA = {
  labels: [
    { name: "claim", hotkey: "c" },
    { name: "denial", hotkey: "D" },
    { name: "attribution", hotkey: "a" },
    { name: "retired", hotkey: "x", enabled: false },
    { name: "clash", hotkey: "j" },
    { name: "twin", hotkey: "c" },
    { name: "nokey" },
  ],
};
const km = buildKeymap(SCHEMA);

/** @param {Partial<import("../js/keymap.js").KeyState>} over */
function state(over = {}) {
  return { mode: "normal", focused: false, readOnly: false, inEditable: false, ...over };
}

test("the schema's enabled hotkeys map to labels, case-insensitively", () => {
  assert.deepEqual([...km.labels], [
    ["c", "claim"],
    ["d", "denial"],
    ["a", "attribution"],
  ]);
});

test("hotkeys that clash with reserved keys or each other are reported, not applied", () => {
  assert.deepEqual(km.conflicts, [
    { label: "clash", hotkey: "j", reason: '"j" is reserved: next span' },
    { label: "twin", hotkey: "c", reason: '"c" is already the hotkey of claim' },
  ]);
});

test("the help lists every label hotkey and every reserved key", () => {
  const keys = km.help.map((h) => h.keys);
  for (const k of ["c", "d", "a", ...Object.keys(RESERVED), "Enter", "Escape"]) assert.ok(keys.includes(k), k);
});

test("a label hotkey creates a span; with Alt it keeps the exact characters", () => {
  assert.deepEqual(resolveKey({ key: "c" }, state(), km), { type: "create", label: "claim", exact: false });
  assert.deepEqual(resolveKey({ key: "D", shiftKey: true }, state(), km), { type: "create", label: "denial", exact: false });
  // macOS turns Alt+A into "å"; the physical key still says which label.
  assert.deepEqual(resolveKey({ key: "å", code: "KeyA", altKey: true }, state(), km), { type: "create", label: "attribution", exact: true });
  // Nothing selected: the page makes a one-word span at the keyboard position.
  assert.deepEqual(resolveKey({ key: "c" }, state(), km), { type: "create", label: "claim", exact: false });
  assert.equal(resolveKey({ key: "x" }, state(), km), null);
});

test("navigation works always, editing keys only with a focused span", () => {
  assert.deepEqual(resolveKey({ key: "j" }, state(), km), { type: "next" });
  assert.deepEqual(resolveKey({ key: "k" }, state(), km), { type: "prev" });
  assert.deepEqual(resolveKey({ key: "?" }, state(), km), { type: "help" });
  assert.equal(resolveKey({ key: "Enter" }, state(), km), null);
  for (const key of ["l", "r", "Delete", "[", "]", "{", "}"]) {
    assert.equal(resolveKey({ key }, state(), km), null, key);
  }
  const f = state({ focused: true });
  assert.deepEqual(resolveKey({ key: "Enter" }, f, km), { type: "open" });
  assert.deepEqual(resolveKey({ key: "l" }, f, km), { type: "startRelabel" });
  assert.deepEqual(resolveKey({ key: "r" }, f, km), { type: "startRelation" });
  assert.deepEqual(resolveKey({ key: "Delete" }, f, km), { type: "delete" });
  assert.deepEqual(resolveKey({ key: "Backspace" }, f, km), { type: "delete" });
  assert.deepEqual(resolveKey({ key: "[" }, f, km), { type: "moveEdge", edge: "start", direction: -1 });
  assert.deepEqual(resolveKey({ key: "]" }, f, km), { type: "moveEdge", edge: "start", direction: 1 });
  assert.deepEqual(resolveKey({ key: "{" }, f, km), { type: "moveEdge", edge: "end", direction: -1 });
  assert.deepEqual(resolveKey({ key: "}" }, f, km), { type: "moveEdge", edge: "end", direction: 1 });
  assert.deepEqual(resolveKey({ key: "u" }, state(), km), { type: "undo" });
  assert.deepEqual(resolveKey({ key: "z", ctrlKey: true }, state(), km), { type: "undo" });
});

test("after l, a label hotkey relabels the focused span", () => {
  const s = state({ mode: "relabel", focused: true });
  assert.deepEqual(resolveKey({ key: "d" }, s, km), { type: "relabel", label: "denial" });
  assert.equal(resolveKey({ key: "j" }, s, km), null);
  assert.deepEqual(resolveKey({ key: "Escape" }, s, km), { type: "cancel" });
});

test("while picking a relation target only j, k, Enter and Escape mean anything", () => {
  const s = state({ mode: "relation", focused: true });
  assert.deepEqual(resolveKey({ key: "j" }, s, km), { type: "next" });
  assert.deepEqual(resolveKey({ key: "k" }, s, km), { type: "prev" });
  assert.deepEqual(resolveKey({ key: "Enter" }, s, km), { type: "pickTarget" });
  assert.equal(resolveKey({ key: "Delete" }, s, km), null);
  assert.equal(resolveKey({ key: "c" }, s, km), null);
});

test("a submitted assignment can be read and navigated but not changed", () => {
  const s = state({ readOnly: true, focused: true });
  assert.deepEqual(resolveKey({ key: "j" }, s, km), { type: "next" });
  assert.deepEqual(resolveKey({ key: "Enter" }, s, km), { type: "open" });
  for (const key of ["c", "l", "r", "u", "Delete", "[", "}"]) assert.equal(resolveKey({ key }, s, km), null, key);
  assert.equal(resolveKey({ key: "z", ctrlKey: true }, s, km), null);
});

test("keys typed into a form field or a dialog are left alone, except Escape", () => {
  assert.equal(resolveKey({ key: "c" }, state({ inEditable: true }), km), null);
  assert.equal(resolveKey({ key: "j" }, state({ mode: "dialog" }), km), null);
  assert.deepEqual(resolveKey({ key: "Escape" }, state({ inEditable: true }), km), { type: "cancel" });
});

test("browser shortcuts with Ctrl or Cmd pass through", () => {
  assert.equal(resolveKey({ key: "c", ctrlKey: true }, state(), km), null);
  assert.equal(resolveKey({ key: "f", metaKey: true }, state(), km), null);
});
