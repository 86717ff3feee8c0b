// @ts-check
/**
 * The compare page's candidates as pure functions: the order the editor walks them in
 * (disagreements first), which ones show while some annotators are toggled off, where
 * j/k and a decision lead next, and what a key means while the editor reviews candidates
 * rather than edits gold. No DOM here, so all of it runs under `node --test`.
 *
 * @module candidates
 */

import { hotkeyOf } from "./keymap.js";

/**
 * @typedef {object} Candidate
 * @property {string} key        "claim:4:12", or "attributed_to>claim:4:12>attribution:39:48"
 * @property {"span" | "relation"} kind
 * @property {string[]} voters   the annotators who proposed it
 * @property {boolean} agreed    every annotator compared proposed it, alike
 * @property {"open" | "accepted" | "rejected"} status
 */

/**
 * @typedef {{type: "next"} | {type: "prev"} | {type: "accept"} | {type: "reject"}
 *   | {type: "reopen"} | {type: "gold"} | {type: "goldCreate"} | {type: "candidates"}
 *   | {type: "help"}} ReviewAction
 */

/**
 * @typedef {object} ReviewKeyState
 * @property {"candidates" | "gold"} mode  reviewing candidates, or editing gold spans
 * @property {boolean} inEditable   the key went to a form field
 * @property {boolean} dialogOpen   a modal dialog is open
 * @property {boolean} goldIdle     in the gold editor, no span focused and no pending mode
 * @property {boolean} selection    text of the article is selected
 * @property {Map<string, string>} labelKeys  hotkey -> label, from the project's schema
 */

/**
 * Walking order: disagreements before agreements; spans before relations within each;
 * the server's document order within those.
 * @template {{agreed: boolean}} S
 * @template {{agreed: boolean}} R
 * @param {S[]} spans
 * @param {R[]} relations
 * @returns {((S & {kind: "span"}) | (R & {kind: "relation"}))[]}
 */
export function ordered(spans, relations) {
  /** @type {(S & {kind: "span"})[]} */
  const s = spans.map((c) => ({ ...c, kind: "span" }));
  /** @type {(R & {kind: "relation"})[]} */
  const r = relations.map((c) => ({ ...c, kind: "relation" }));
  return [...s.filter((c) => !c.agreed), ...r.filter((c) => !c.agreed), ...s.filter((c) => c.agreed), ...r.filter((c) => c.agreed)];
}

/**
 * The candidates someone shown proposed: hiding an annotator hides what only they saw.
 * @template {{voters: string[]}} C
 * @param {C[]} list
 * @param {Set<string>} hidden
 * @returns {C[]}
 */
export function visible(list, hidden) {
  if (hidden.size === 0) return list;
  return list.filter((c) => c.voters.some((v) => !hidden.has(v)));
}

/**
 * The key j (1) or k (-1) leads to: from nothing, the first or the last; at an end, stay.
 * @param {{key: string}[]} list
 * @param {string | null} key
 * @param {1 | -1} direction
 * @returns {string | null}
 */
export function step(list, key, direction) {
  if (list.length === 0) return null;
  const at = key === null ? -1 : list.findIndex((c) => c.key === key);
  if (at === -1) return direction > 0 ? list[0].key : list[list.length - 1].key;
  const next = Math.min(list.length - 1, Math.max(0, at + direction));
  return list[next].key;
}

/**
 * After a decision, the next candidate still open, after `key` and wrapping round; null
 * when nothing is left to decide.
 * @param {{key: string, status: string}[]} list
 * @param {string | null} key
 * @returns {string | null}
 */
export function nextOpen(list, key) {
  const at = key === null ? -1 : list.findIndex((c) => c.key === key);
  for (let i = 1; i <= list.length; i++) {
    const candidate = list[(at + i + list.length) % list.length];
    if (candidate.status === "open" && candidate.key !== key) return candidate.key;
  }
  return null;
}

const CANDIDATE_KEYS = /** @type {Record<string, ReviewAction>} */ ({
  j: { type: "next" },
  ArrowDown: { type: "next" },
  k: { type: "prev" },
  ArrowUp: { type: "prev" },
  Enter: { type: "accept" },
  Delete: { type: "reject" },
  Backspace: { type: "reject" },
  u: { type: "reopen" },
  g: { type: "gold" },
  "?": { type: "help" },
});

/**
 * What a key means on the compare page before the gold editor sees it; null leaves the key
 * to the gold editor (in gold mode) or to the browser.
 * @param {{key: string, altKey?: boolean, ctrlKey?: boolean, metaKey?: boolean, code?: string}} event
 * @param {ReviewKeyState} state
 * @returns {ReviewAction | null}
 */
export function reviewAction(event, state) {
  if (state.dialogOpen || event.ctrlKey || event.metaKey) return null;
  if (state.mode === "gold") {
    return event.key === "Escape" && state.goldIdle && !state.inEditable ? { type: "candidates" } : null;
  }
  if (state.inEditable) return null;
  // Selected text and a label's key: the editor is drawing a gold span.
  if (state.selection && state.labelKeys.has(hotkeyOf(event))) return { type: "goldCreate" };
  if (event.altKey) return null;
  return CANDIDATE_KEYS[event.key] ?? null;
}
