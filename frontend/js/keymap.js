// @ts-check
/**
 * The one key map of the annotate page: label hotkeys from the project's schema plus the
 * reserved navigation and editing keys. `resolveKey` is a pure function from a keyboard
 * event (or anything shaped like one) and the page's state to an action, so every
 * shortcut is testable without a browser and the `?` help is generated from the same table.
 *
 * @module keymap
 */

/**
 * @typedef {object} LabelDef
 * @property {string} name
 * @property {string} [hotkey]
 * @property {boolean} [enabled]
 */

/**
 * @typedef {object} KeyEventLike
 * @property {string} key
 * @property {string} [code]
 * @property {boolean} [altKey]
 * @property {boolean} [ctrlKey]
 * @property {boolean} [metaKey]
 * @property {boolean} [shiftKey]
 */

/**
 * @typedef {"normal" | "relabel" | "relation" | "dialog"} Mode
 *   normal: reading and editing; relabel: `l` was pressed and a label hotkey is awaited;
 *   relation: `r` was pressed and a target span is being picked; dialog: a modal is open.
 */

/**
 * @typedef {object} KeyState
 * @property {Mode} mode
 * @property {boolean} focused       a span is focused
 * @property {boolean} readOnly      the assignment is submitted
 * @property {boolean} inEditable    the key went to a form field (the note, a text attribute)
 */

/**
 * @typedef {{type: "create", label: string, exact: boolean}
 *   | {type: "relabel", label: string}
 *   | {type: "startRelabel"} | {type: "startRelation"} | {type: "pickTarget"}
 *   | {type: "next"} | {type: "prev"} | {type: "open"} | {type: "cancel"}
 *   | {type: "delete"} | {type: "undo"} | {type: "help"}
 *   | {type: "moveEdge", edge: "start" | "end", direction: -1 | 1}} Action
 */

/** Keys the page keeps for itself; a schema hotkey may not take them. */
export const RESERVED = Object.freeze({
  j: "next span",
  k: "previous span",
  l: "change the focused span's label (then press the label's key)",
  r: "start a relation from the focused span (pick the target with j/k and Enter, or a click)",
  u: "undo the last change",
  "[": "move the focused span's start one word earlier",
  "]": "move the focused span's start one word later",
  "{": "move the focused span's end one word earlier",
  "}": "move the focused span's end one word later",
  "?": "show every shortcut",
  Delete: "delete the focused span and its relations",
});

/**
 * @typedef {object} Keymap
 * @property {Map<string, string>} labels  hotkey -> label name
 * @property {{label: string, hotkey: string, reason: string}[]} conflicts
 * @property {{keys: string, description: string}[]} help
 */

/**
 * Build the key map for a label schema. Hotkeys that clash with a reserved key or with
 * another label's are reported rather than silently winning, so the admin can fix the
 * schema; the label stays usable through its button.
 * @param {{labels: LabelDef[]}} schema
 * @returns {Keymap}
 */
export function buildKeymap(schema) {
  /** @type {Map<string, string>} */
  const labels = new Map();
  const conflicts = [];
  for (const label of schema.labels) {
    if (label.enabled === false || !label.hotkey) continue;
    const hotkey = normaliseHotkey(label.hotkey);
    if (Object.hasOwn(RESERVED, hotkey)) {
      conflicts.push({ label: label.name, hotkey, reason: `"${hotkey}" is reserved: ${RESERVED[/** @type {keyof typeof RESERVED} */ (hotkey)]}` });
    } else if (labels.has(hotkey)) {
      conflicts.push({ label: label.name, hotkey, reason: `"${hotkey}" is already the hotkey of ${labels.get(hotkey)}` });
    } else {
      labels.set(hotkey, label.name);
    }
  }
  const help = [
    ...[...labels].map(([key, name]) => ({ keys: key, description: `label the selected text as ${name} (with Alt: exact characters, not whole words); with nothing selected, label the word after the focused span; after l, relabel the focused span` })),
    ...Object.entries(RESERVED).map(([keys, description]) => ({ keys, description })),
    { keys: "Enter", description: "open the focused span's attributes and note; in a relation, pick the target" },
    { keys: "Escape", description: "cancel, or leave the focused span" },
  ];
  return { labels, conflicts, help };
}

/**
 * @param {string} hotkey
 * @returns {string}
 */
function normaliseHotkey(hotkey) {
  return hotkey.length === 1 ? hotkey.toLowerCase() : hotkey;
}

/**
 * The label hotkey an event stands for. With Alt held, some layouts (macOS) turn "c" into
 * "ç", so the physical key code is used instead.
 * @param {KeyEventLike} event
 * @returns {string}
 */
export function hotkeyOf(event) {
  if (event.altKey && event.code && /^Key[A-Z]$/.test(event.code)) return event.code.slice(3).toLowerCase();
  if (event.altKey && event.code && /^Digit[0-9]$/.test(event.code)) return event.code.slice(5);
  return normaliseHotkey(event.key);
}

/**
 * What a key press means in the current state, or null when the page should let it be.
 * @param {KeyEventLike} event
 * @param {KeyState} state
 * @param {Keymap} keymap
 * @returns {Action | null}
 */
export function resolveKey(event, state, keymap) {
  if (event.key === "Escape") return { type: "cancel" };
  // Typing in the note or a text attribute must never fire shortcuts.
  if (state.inEditable || state.mode === "dialog") return null;
  if (event.ctrlKey || event.metaKey) {
    // Ctrl/Cmd+Z is undo everywhere; every other combination (copy, find...) belongs to the browser.
    if (!state.readOnly && event.key.toLowerCase() === "z" && !event.shiftKey) return { type: "undo" };
    return null;
  }
  const key = event.key;

  if (state.mode === "relation") {
    if (key === "j") return { type: "next" };
    if (key === "k") return { type: "prev" };
    if (key === "Enter") return { type: "pickTarget" };
    return null;
  }
  if (state.mode === "relabel") {
    const label = keymap.labels.get(hotkeyOf(event));
    return label && state.focused ? { type: "relabel", label } : null;
  }

  if (key === "j") return { type: "next" };
  if (key === "k") return { type: "prev" };
  if (key === "?") return { type: "help" };
  if (key === "Enter") return state.focused ? { type: "open" } : null;
  if (state.readOnly) return null;

  if (key === "u") return { type: "undo" };
  // With text selected the label applies to it; with nothing selected it starts a one-word
  // span after the focused one (or at the top), so spans can be made without a mouse.
  const label = keymap.labels.get(hotkeyOf(event));
  if (label) return { type: "create", label, exact: Boolean(event.altKey) };
  if (!state.focused) return null;
  switch (key) {
    case "l":
      return { type: "startRelabel" };
    case "r":
      return { type: "startRelation" };
    case "Delete":
    case "Backspace":
      return { type: "delete" };
    case "[":
      return { type: "moveEdge", edge: "start", direction: -1 };
    case "]":
      return { type: "moveEdge", edge: "start", direction: 1 };
    case "{":
      return { type: "moveEdge", edge: "end", direction: -1 };
    case "}":
      return { type: "moveEdge", edge: "end", direction: 1 };
    default:
      return null;
  }
}
