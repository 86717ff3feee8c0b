// @ts-check
/**
 * The annotator's workspace: renders the article as one untouched text node per paragraph,
 * draws spans over it with the CSS Custom Highlight API, and turns mouse selections and
 * keys into span and relation changes that the outbox saves.
 *
 * Offsets: the DOM gives (paragraph, UTF-16 offset); offsets.js turns them into the API's
 * code points and back. Nothing in this file does arithmetic across the two systems.
 *
 * @module annotate
 */

import { $, call, csrfToken, h, scrollToRange, shorten } from "./dom.js";
import { DocumentText } from "./offsets.js";
import { moveEndByWord, moveStartByWord, snapSelection, words } from "./segment.js";
import { buildKeymap, resolveKey } from "./keymap.js";
import { SpanLayout } from "./layout.js";
import { Outbox, applyPending } from "./outbox.js";

/**
 * @typedef {object} AttributeDef
 * @property {string} name
 * @property {"enum" | "text"} type
 * @property {string[]} [values]
 */

/**
 * @typedef {object} LabelDef
 * @property {string} name
 * @property {string} [color]
 * @property {string} [hotkey]
 * @property {boolean} [enabled]
 * @property {string} [underline]
 * @property {AttributeDef[]} [attributes]
 */

/**
 * @typedef {object} RelationDef
 * @property {string} name
 * @property {string[]} from
 * @property {string[]} to
 * @property {boolean} [symmetric]
 */

/**
 * @typedef {object} Config
 * @property {{id: number, title: string, text: string, language: string}} document
 * @property {{id: number, label_schema: {labels: LabelDef[], relations?: RelationDef[]}, allow_overlap: boolean}} project
 * @property {{id: number, status: string} | null} assignment
 * @property {any[]} spans      the layer's spans: the API's fields the page uses, without quotes
 * @property {any[]} relations  the layer's relations, likewise
 * @property {boolean} read_only
 * @property {string} [layer]   another layer than the user's own, e.g. "gold" for editors
 * @property {{api: string, queue: string, next: string | null}} urls
 */

/**
 * @typedef {object} Span
 * @property {string} key           client_id, or "id-<id>" for a span made without one
 * @property {number | null} id
 * @property {string} label
 * @property {number} start
 * @property {number} end
 * @property {string} quote
 * @property {Record<string, string>} attributes
 * @property {string} note
 * @property {Record<string, any> | null} server  the last version the server confirmed
 * @property {string} [error]       why the server refused the last change
 */

/**
 * @typedef {object} Rel
 * @property {string} key
 * @property {number | null} id
 * @property {string} type
 * @property {string} from  span key
 * @property {string} to    span key
 */

const UNDERLINES = new Set(["solid", "dashed", "dotted", "wavy", "double"]);
const DEFAULT_UNDERLINES = ["solid", "wavy", "dashed", "dotted", "double"];
const ICONS = ["●", "▲", "■", "◆", "★", "✚", "⬟", "⬢"];
// List items built before the first paint, and per batch after it.
const FIRST_ITEMS = 60;
const ITEM_BATCH = 100;
const SAFE_COLOR = /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20})$/;
const SAVE_TEXT = {
  saving: "Saving…",
  saved: "All changes saved",
  offline: "Offline: changes are kept on this device and retried",
};

/** @returns {string} this tab's id; sessionStorage keeps it across reloads of the tab */
function tabId() {
  let id = sessionStorage.getItem("factcheck.tab");
  if (!id) {
    id = crypto.randomUUID();
    sessionStorage.setItem("factcheck.tab", id);
  }
  return id;
}

export class Workspace {
  /** @param {Config} config */
  constructor(config) {
    this.config = config;
    this.doc = new DocumentText(config.document.text);
    this.locale = config.document.language || undefined;
    this.schema = config.project.label_schema;
    this.labels = this.schema.labels.filter((l) => l.enabled !== false);
    /** @type {Map<string, number>} */
    this.labelIndex = new Map(this.schema.labels.map((l, i) => [l.name, i]));
    this.keymap = buildKeymap(this.schema);
    this.layout = new SpanLayout(this.doc);
    /** @type {Map<string, Span>} */
    this.spans = new Map();
    /** @type {((saved: boolean) => void) | null} what submit waits on, see saved() */
    this.settle = null;
    /** @type {Map<string, Rel>} */
    this.relations = new Map();
    /** @type {string | null} */
    this.focused = null;
    /** @type {"normal" | "relabel" | "relation"} */
    this.mode = "normal";
    /** @type {string | null} the candidate target while picking a relation */
    this.target = null;
    /** @type {{undo: () => void}[]} */
    this.undoStack = [];
    this.readOnly = config.read_only;
    /** @type {Text[]} */
    this.textNodes = [];
    /** @type {Map<string, StaticRange[]>} */
    this.drawn = new Map();
    /** @type {Map<string, Highlight>} */
    this.highlights = new Map();
    /** @type {{spans: string[], index: number} | null} */
    this.lastClick = null;
    /** @type {{op: import("./outbox.js").Op, current: any}[]} */
    this.conflicts = [];
    /** @type {{from: string, to: string} | null} a relation waiting for its type to be chosen */
    this.pendingRelation = null;
    /** @type {string[]} span keys whose list items are not in the list yet, in order */
    this.unlisted = [];

    this.el = {
      text: $("#doc-text"),
      labelBar: $("#label-bar"),
      list: $("#span-list"),
      count: $("#span-count"),
      panel: $("#span-panel"),
      save: $("#save-state"),
      message: $("#message"),
      banner: $("#mode-banner"),
      submit: /** @type {HTMLButtonElement} */ ($("#submit-button")),
      help: /** @type {HTMLDialogElement} */ ($("#help-dialog")),
      relationDialog: /** @type {HTMLDialogElement} */ ($("#relation-dialog")),
      conflictDialog: /** @type {HTMLDialogElement} */ ($("#conflict-dialog")),
      submitDialog: /** @type {HTMLDialogElement} */ ($("#submit-dialog")),
    };

    this.outbox = new Outbox({
      documentId: config.document.id,
      fetch: (url, init) => fetch(url, { ...init, credentials: "same-origin" }),
      storage: localStorage,
      tab: tabId(),
      uuid: () => crypto.randomUUID(),
      now: () => Date.now(),
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (t) => clearTimeout(t),
      headers: () => ({ "X-CSRFToken": csrfToken() }),
      apiRoot: config.urls.api,
      layer: config.layer,
      onState: (state) => this.showSaveState(state),
      onAck: (op, result) => this.acknowledged(op, result),
      onConflict: (op, current) => this.conflicted(op, current),
      onError: (op, error, dropped) => this.refused(op, error, dropped),
    });
  }

  // ---------------------------------------------------------------- first render

  start() {
    performance.mark("fc-start");
    this.renderText();
    this.installStyles();
    this.renderLabelBar();
    this.renderHelp();
    this.bindEvents();
    this.setReadOnly(this.readOnly);
    this.load(this.config.spans, this.config.relations);
    this.outbox.start();
    document.documentElement.dataset.ready = "true";
    performance.mark("fc-ready");
    // A task queued from an animation frame callback runs once that frame is produced.
    requestAnimationFrame(() => setTimeout(() => performance.mark("fc-painted"), 0));
  }

  renderText() {
    const frag = document.createDocumentFragment();
    for (const p of this.doc.paragraphs) {
      const el = h("p", { dir: "auto", "data-p": String(p.index) });
      // Always append a text node, even an empty one, so every paragraph has exactly one.
      const node = document.createTextNode(p.text);
      el.append(node);
      this.textNodes.push(node);
      frag.append(el);
    }
    this.el.text.replaceChildren(frag);
  }

  /**
   * Highlight colours come from the project's schema, so their rules are built here. A
   * constructed stylesheet is CSSOM, which the page's CSP (no inline styles) permits.
   */
  installStyles() {
    const rules = [];
    this.schema.labels.forEach((label, i) => {
      const color = label.color && SAFE_COLOR.test(label.color) ? label.color : "#888888";
      const underline =
        label.underline && UNDERLINES.has(label.underline) ? label.underline : DEFAULT_UNDERLINES[i % DEFAULT_UNDERLINES.length];
      rules.push(
        `::highlight(fc-l${i}) { background-color: color-mix(in srgb, ${color} 30%, transparent); ` +
          `text-decoration: underline ${underline} ${color}; text-decoration-thickness: 2px; }`,
        `.label-l${i} { --label-color: ${color}; --label-underline: ${underline}; }`,
      );
      const highlight = new Highlight();
      highlight.priority = 1;
      this.highlights.set(`fc-l${i}`, highlight);
    });
    for (const [name, priority] of /** @type {const} */ ([["fc-depth1", 2], ["fc-depth2", 3], ["fc-related", 4], ["fc-error", 5], ["fc-target", 6], ["fc-focus", 7]])) {
      const highlight = new Highlight();
      highlight.priority = priority;
      this.highlights.set(name, highlight);
    }
    for (const [name, highlight] of this.highlights) CSS.highlights.set(name, highlight);
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(rules.join("\n"));
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  }

  renderLabelBar() {
    const buttons = this.labels.map((label) => {
      const i = /** @type {number} */ (this.labelIndex.get(label.name));
      const key = [...this.keymap.labels].find(([, name]) => name === label.name)?.[0];
      const button = h("button", { type: "button", class: `label-button label-l${i}`, "data-label": label.name }, [
        h("span", { class: "label-icon", "aria-hidden": "true" }, [ICONS[i % ICONS.length]]),
        ` ${label.name} `,
      ]);
      if (key) {
        button.append(h("kbd", {}, [key]));
        button.setAttribute("aria-keyshortcuts", key);
      }
      return button;
    });
    this.el.labelBar.replaceChildren(...buttons);
    if (this.keymap.conflicts.length) {
      this.say(`Some hotkeys in the label schema are ignored: ${this.keymap.conflicts.map((c) => c.reason).join("; ")}.`);
    }
  }

  renderHelp() {
    const rows = this.keymap.help.map((row) => h("tr", {}, [h("th", { scope: "row" }, [h("kbd", {}, [row.keys])]), h("td", {}, [row.description])]));
    this.el.help.querySelector("tbody")?.replaceChildren(...rows);
  }

  /**
   * @param {any[]} serverSpans
   * @param {any[]} serverRelations
   */
  load(serverSpans, serverRelations) {
    /** @type {Map<number, string>} */
    const keyById = new Map();
    const spans = serverSpans.map((s) => {
      const key = s.client_id ?? `id-${s.id}`;
      keyById.set(s.id, key);
      return { ...s, client_id: key, server: s };
    });
    const relations = serverRelations.map((r) => ({
      client_id: r.client_id ?? `id-${r.id}`,
      id: r.id,
      type: r.type,
      from: keyById.get(r.from_span),
      to: keyById.get(r.to_span),
    }));
    this.outbox.seed([...spans, ...relations.map((r) => ({ ...r, version: undefined }))]);
    const view = applyPending(spans, relations, this.outbox.pending);
    for (const s of view.spans) {
      /** @type {Span} */
      const span = {
        key: s.client_id,
        id: s.id ?? null,
        label: s.label,
        start: s.start,
        end: s.end,
        // The page embeds no quotes: by the API's contract each is the text between the offsets.
        quote: this.doc.slice(s.start, s.end),
        attributes: s.attributes ?? {},
        note: s.note ?? "",
        server: s.server ?? null,
      };
      this.spans.set(span.key, span);
      this.draw(this.layout.add(this.layoutSpan(span)));
    }
    for (const r of view.relations) {
      if (!r.from || !r.to || !this.spans.has(r.from) || !this.spans.has(r.to)) continue;
      this.relations.set(r.client_id, { key: r.client_id, id: r.id ?? null, type: r.type, from: r.from, to: r.to });
    }
    // The first screenful of list items goes in now; the rest follows in small batches when
    // the page is idle, so a 1,000-span article does not lay out 1,000 items before showing.
    this.unlisted = this.layout.order.map((s) => s.key);
    this.el.list.replaceChildren();
    this.appendItems(FIRST_ITEMS);
    this.updateCount();
    if (this.unlisted.length) requestIdleCallback(() => this.appendBatches());
  }

  /** @param {number} n */
  appendItems(n) {
    const frag = document.createDocumentFragment();
    for (const key of this.unlisted.splice(0, n)) {
      const span = this.spans.get(key);
      if (span) frag.append(this.listItem(span));
    }
    this.el.list.append(frag);
  }

  appendBatches() {
    if (!this.unlisted.length) return;
    this.appendItems(ITEM_BATCH);
    if (this.unlisted.length) requestIdleCallback(() => this.appendBatches());
  }

  /** Every list item in place: needed before anything is inserted or looked up by order. */
  completeList() {
    if (this.unlisted.length) this.appendItems(this.unlisted.length);
  }

  // ---------------------------------------------------------------- drawing

  /**
   * @param {Span} span
   * @returns {import("./layout.js").SpanLike}
   */
  layoutSpan(span) {
    return { key: span.key, start: span.start, end: span.end, label: span.label };
  }

  /** @param {import("./layout.js").Placed} placed */
  draw(placed) {
    const ranges = placed.pieces.map(
      (piece) =>
        new StaticRange({
          startContainer: this.textNodes[piece.paragraph],
          startOffset: piece.start,
          endContainer: this.textNodes[piece.paragraph],
          endOffset: piece.end,
        }),
    );
    const span = /** @type {Span} */ (this.spans.get(placed.span.key));
    const names = [`fc-l${this.labelIndex.get(span.label) ?? 0}`];
    // Deeper spans get an extra tint, so a span nested in a same-coloured one still shows.
    if (placed.depth === 1) names.push("fc-depth1");
    if (placed.depth >= 2) names.push("fc-depth2");
    if (span.error) names.push("fc-error");
    if (span.key === this.focused) names.push("fc-focus");
    if (span.key === this.target) names.push("fc-target");
    if (this.focused && span.key !== this.focused && this.linked(this.focused).has(span.key)) names.push("fc-related");
    for (const name of names) {
      const highlight = /** @type {Highlight} */ (this.highlights.get(name));
      for (const r of ranges) highlight.add(r);
    }
    this.drawn.set(span.key, ranges);
  }

  /** @param {string} key */
  erase(key) {
    const ranges = this.drawn.get(key);
    if (!ranges) return;
    for (const highlight of this.highlights.values()) for (const r of ranges) highlight.delete(r);
    this.drawn.delete(key);
  }

  /** @param {string} key */
  redraw(key) {
    const span = this.spans.get(key);
    this.erase(key);
    if (!span) return;
    const placed = this.layout.get(key);
    if (placed) this.draw(placed);
  }

  /**
   * @param {Span} span
   * @returns {HTMLLIElement}
   */
  listItem(span) {
    const li = h("li", { role: "option", id: `opt-${span.key}`, "aria-selected": "false", "data-key": span.key });
    this.fillItem(li, span);
    return li;
  }

  /**
   * @param {HTMLElement} li
   * @param {Span} span
   */
  fillItem(li, span) {
    const i = this.labelIndex.get(span.label) ?? 0;
    const attrs = Object.entries(span.attributes)
      .filter(([, v]) => v !== "" && v !== null && v !== undefined)
      .map(([k, v]) => `${k}: ${v}`)
      .join(", ");
    const children = [
      h("span", { class: `tag label-l${i}` }, [h("span", { class: "label-icon", "aria-hidden": "true" }, [ICONS[i % ICONS.length]]), ` ${span.label}`]),
      " ",
      h("q", { dir: "auto" }, [shorten(span.quote, 90)]),
    ];
    if (attrs) children.push(h("span", { class: "attrs" }, [attrs]));
    if (span.note) children.push(h("span", { class: "note-mark", title: span.note }, ["✎ note"]));
    const rels = [...this.relations.values()].filter((r) => r.from === span.key || r.to === span.key);
    if (rels.length) {
      children.push(
        h(
          "ul",
          { class: "rels" },
          rels.map((r) => {
            const other = this.spans.get(r.from === span.key ? r.to : r.from);
            const arrow = r.from === span.key ? `→ ${r.type}` : `← ${r.type}`;
            return h("li", { "data-relation": r.key }, [`${arrow} `, h("q", { dir: "auto" }, [shorten(other?.quote ?? "?", 40)])]);
          }),
        ),
      );
    }
    if (span.error) children.push(h("p", { class: "span-error", role: "alert" }, [span.error]));
    li.replaceChildren(...children);
    li.classList.toggle("has-error", Boolean(span.error));
    li.setAttribute("aria-label", `${span.label}: ${span.quote}${span.error ? ` (not saved: ${span.error})` : ""}`);
  }

  /** @param {string} key */
  itemOf(key) {
    this.completeList();
    return document.getElementById(`opt-${key}`);
  }

  /** @param {string} key */
  refreshItem(key) {
    const span = this.spans.get(key);
    const li = this.itemOf(key);
    if (span && li) this.fillItem(li, span);
  }

  /**
   * Put a span's list item where document order says, without rebuilding the list.
   * @param {string} key
   */
  placeItem(key) {
    const span = /** @type {Span} */ (this.spans.get(key));
    const li = this.itemOf(key) ?? this.listItem(span);
    const next = this.layout.next(key);
    const before = next ? this.itemOf(next.key) : null;
    this.el.list.insertBefore(li, before);
  }

  updateCount() {
    this.el.count.textContent = `(${this.spans.size})`;
  }

  // ---------------------------------------------------------------- messages and state

  /** @param {string} text */
  say(text) {
    this.el.message.textContent = text;
  }

  /** @param {import("./outbox.js").SaveState} state */
  showSaveState(state) {
    this.el.save.dataset.state = state;
    this.el.save.textContent = SAVE_TEXT[state];
    if (state !== "saving") this.settle?.(state === "saved");
  }

  /**
   * Resolves once the save queue is empty (true), or as soon as it goes offline (false).
   * @returns {Promise<boolean>}
   */
  saved() {
    if (this.outbox.pending.length === 0) return Promise.resolve(true);
    if (this.outbox.state === "offline") return Promise.resolve(false);
    return new Promise((resolve) => {
      this.settle = (ok) => {
        this.settle = null;
        resolve(ok);
      };
    });
  }

  /** @param {boolean} readOnly */
  setReadOnly(readOnly) {
    this.readOnly = readOnly;
    document.body.classList.toggle("read-only", readOnly);
    for (const b of this.el.labelBar.querySelectorAll("button")) b.disabled = readOnly;
    this.el.submit.hidden = readOnly;
    if (readOnly) {
      this.el.banner.hidden = false;
      this.el.banner.textContent = "Submitted: this annotation is read-only.";
      if (this.config.urls.next) {
        this.el.banner.append(" ", h("a", { href: this.config.urls.next, id: "next-document" }, ["Next document →"]));
      } else {
        this.el.banner.append(" ", h("a", { href: this.config.urls.queue }, ["Back to my queue"]));
      }
    }
    this.renderPanel();
  }

  /** @param {"normal" | "relabel" | "relation"} mode */
  setMode(mode) {
    this.mode = mode;
    document.body.dataset.mode = mode;
    if (!this.readOnly) {
      this.el.banner.hidden = mode === "normal";
      if (mode === "relabel") this.el.banner.textContent = "Relabel: press the new label's key (Escape cancels).";
      if (mode === "relation") this.el.banner.textContent = "Relation: pick the target span with j/k and Enter, or click it (Escape cancels).";
    }
    if (mode !== "relation" && this.target) {
      const old = this.target;
      this.target = null;
      this.redraw(old);
    }
  }

  // ---------------------------------------------------------------- events

  bindEvents() {
    document.addEventListener("keydown", (e) => this.onKey(e));
    this.el.text.addEventListener("mouseup", (e) => this.onTextClick(e));
    this.el.labelBar.addEventListener("mousedown", (e) => e.preventDefault()); // keep the text selection
    this.el.labelBar.addEventListener("click", (e) => {
      const button = e.target instanceof Element ? e.target.closest("button[data-label]") : null;
      if (button instanceof HTMLButtonElement && !button.disabled) {
        this.createAction(/** @type {string} */ (button.dataset.label), e.altKey);
      }
    });
    this.el.list.addEventListener("click", (e) => {
      const li = e.target instanceof Element ? e.target.closest("li[role=option]") : null;
      if (!(li instanceof HTMLElement)) return;
      const key = /** @type {string} */ (li.dataset.key);
      if (this.mode === "relation") this.pickTarget(key);
      else this.focus(key);
    });
    this.el.panel.addEventListener("change", (e) => this.onPanelChange(e));
    this.el.panel.addEventListener("input", (e) => this.onPanelInput(e));
    this.el.panel.addEventListener("click", (e) => this.onPanelClick(e));
    this.el.submit.addEventListener("click", () => this.showDialog(this.el.submitDialog));
    this.el.submitDialog.addEventListener("close", () => {
      if (this.el.submitDialog.returnValue === "submit") this.submit();
    });
    $("#help-button").addEventListener("click", () => this.showDialog(this.el.help));
    // A conflict must be answered: Escape would otherwise drop one side without a choice.
    this.el.conflictDialog.addEventListener("cancel", (e) => e.preventDefault());
    this.el.conflictDialog.addEventListener("close", () => this.resolveConflict(this.el.conflictDialog.returnValue));
    this.el.relationDialog.addEventListener("close", () => this.chooseRelationType(this.el.relationDialog.returnValue));
    window.addEventListener("online", () => this.outbox.flush());
  }

  /**
   * Open a modal with no answer yet: returnValue keeps the previous close's otherwise, and
   * Escape would repeat that answer.
   * @param {HTMLDialogElement} dialog
   */
  showDialog(dialog) {
    dialog.returnValue = "";
    dialog.showModal();
  }

  /** @param {KeyboardEvent} e */
  onKey(e) {
    if (document.querySelector("dialog[open]")) return; // a dialog handles its own keys
    const t = e.target;
    const isControl = t instanceof Element && t.closest("button, a, summary, select");
    if (isControl && (e.key === "Enter" || e.key === " ")) return;
    const inEditable =
      t instanceof Element && (t.closest("input, textarea, select, [contenteditable=true]") !== null);
    let action = resolveKey(
      e,
      { mode: this.mode, focused: this.focused !== null, readOnly: this.readOnly, inEditable },
      this.keymap,
    );
    // In the listbox the arrow keys move as well, as a listbox's do.
    if (!action && t === this.el.list && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
      action = { type: e.key === "ArrowDown" ? "next" : "prev" };
    }
    if (!action) return;
    e.preventDefault();
    const started = e.timeStamp;
    switch (action.type) {
      case "create":
        this.createAction(action.label, action.exact, started);
        break;
      case "next":
      case "prev":
        this.step(action.type === "next" ? 1 : -1);
        break;
      case "open":
        this.openPanel();
        break;
      case "cancel":
        if (inEditable && t instanceof HTMLElement) t.blur();
        else if (this.mode !== "normal") this.setMode("normal");
        else this.focus(null);
        break;
      case "startRelabel":
        this.setMode("relabel");
        break;
      case "relabel":
        this.setMode("normal");
        this.relabel(action.label);
        break;
      case "startRelation":
        this.startRelation();
        break;
      case "pickTarget":
        if (this.target) this.pickTarget(this.target);
        break;
      case "delete":
        this.deleteFocused();
        break;
      case "undo":
        this.undo();
        break;
      case "help":
        this.showDialog(this.el.help);
        break;
      case "moveEdge":
        this.moveEdge(action.edge, action.direction);
        break;
    }
  }

  /** @param {MouseEvent} e */
  onTextClick(e) {
    const sel = getSelection();
    if (sel && !sel.isCollapsed) return; // a selection waits for a label key or button
    const point = this.pointAt(e.clientX, e.clientY);
    if (!point) return;
    const cp = this.doc.toGlobal(point.paragraph, point.offset);
    let spans = this.layout.at(cp).map((s) => s.key);
    if (spans.length === 0 && cp > 0) spans = this.layout.at(cp - 1).map((s) => s.key);
    if (spans.length === 0) return;
    // Clicking the same place again selects the next span out from the innermost, so every
    // one of a stack of nested spans can be reached with the mouse.
    let index = 0;
    if (this.lastClick && this.lastClick.spans.join() === spans.join()) index = (this.lastClick.index + 1) % spans.length;
    this.lastClick = { spans, index };
    if (this.mode === "relation") this.pickTarget(spans[index]);
    else this.focus(spans[index]);
  }

  /**
   * The text position under the mouse.
   * @param {number} x
   * @param {number} y
   * @returns {{paragraph: number, offset: number} | null}
   */
  pointAt(x, y) {
    /** @type {Node | null} */
    let node = null;
    let offset = 0;
    const d = /** @type {any} */ (document);
    if (typeof d.caretPositionFromPoint === "function") {
      const pos = d.caretPositionFromPoint(x, y);
      if (pos) ({ offsetNode: node, offset } = pos);
    } else if (typeof d.caretRangeFromPoint === "function") {
      const range = d.caretRangeFromPoint(x, y);
      if (range) ({ startContainer: node, startOffset: offset } = range);
    }
    return node ? this.localPoint(node, offset, "start") : null;
  }

  /**
   * A DOM boundary point as (paragraph, UTF-16 offset), clamped to the article.
   * @param {Node} node
   * @param {number} offset
   * @param {"start" | "end"} side
   * @returns {{paragraph: number, offset: number} | null}
   */
  localPoint(node, offset, side) {
    const last = this.doc.paragraphs.length - 1;
    if (!this.el.text.contains(node)) {
      // A selection that runs past the article is cut at the article's edge.
      const after = this.el.text.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_FOLLOWING;
      return after ? { paragraph: last, offset: this.doc.paragraphs[last].text.length } : { paragraph: 0, offset: 0 };
    }
    if (node === this.el.text) {
      if (side === "start") return offset > last ? null : { paragraph: offset, offset: 0 };
      const p = Math.max(0, offset - 1);
      return { paragraph: p, offset: this.doc.paragraphs[p].text.length };
    }
    const p = node instanceof Text ? node.parentElement : /** @type {Element} */ (node);
    const index = Number(p?.getAttribute("data-p"));
    if (!Number.isInteger(index) || !this.doc.paragraphs[index]) return null;
    if (node instanceof Text) return { paragraph: index, offset };
    return { paragraph: index, offset: offset === 0 ? 0 : this.doc.paragraphs[index].text.length };
  }

  // ---------------------------------------------------------------- creating spans

  /**
   * @param {string} label
   * @param {boolean} exact
   * @param {number} [started] event time, to measure hotkey-to-highlight
   */
  createAction(label, exact, started) {
    if (this.readOnly) return;
    const sel = getSelection();
    const range = sel && !sel.isCollapsed && sel.rangeCount ? this.selectedRange(sel.getRangeAt(0), exact) : this.wordAfterFocus();
    if (sel && !sel.isCollapsed && !range) {
      this.say("The selection holds no words to label.");
      return;
    }
    if (!range) {
      this.say("There is no word left after the focused span.");
      return;
    }
    if (!this.config.project.allow_overlap && this.layout.overlapping(range.start, range.end).length) {
      this.say("This project does not allow overlapping spans; the selection overlaps one.");
      return;
    }
    sel?.removeAllRanges();
    const key = this.addSpan({ label, start: range.start, end: range.end, attributes: {}, note: "" });
    this.undoStack.push({ undo: () => this.removeSpan(key, false) });
    this.focus(key);
    this.say(`Created ${label}: “${shorten(/** @type {Span} */ (this.spans.get(key)).quote, 60)}”.`);
    if (started !== undefined) {
      // For bench/ui_render.py: the handler's own work, and the time until the frame with the
      // new highlight is produced (a task queued from its animation frame callback runs then).
      performance.measure("fc-hotkey-script", { start: started, end: performance.now() });
      requestAnimationFrame(() =>
        setTimeout(() => performance.measure("fc-hotkey-to-highlight", { start: started, end: performance.now() }), 0),
      );
    }
  }

  /**
   * The selection, snapped to words (or graphemes when exact), in code points.
   * @param {Range} r
   * @param {boolean} exact
   * @returns {{start: number, end: number} | null}
   */
  selectedRange(r, exact) {
    const a = this.localPoint(r.startContainer, r.startOffset, "start");
    const b = this.localPoint(r.endContainer, r.endOffset, "end");
    if (!a || !b) return null;
    const snapped = snapSelection(this.doc.paragraphs, a, b, { exact, locale: this.locale });
    if (!snapped) return null;
    const { start, end } = snapped;
    return { start: this.doc.toGlobal(start.paragraph, start.offset), end: this.doc.toGlobal(end.paragraph, end.offset) };
  }

  /**
   * The first word after the focused span (or the article's first word): where a label key
   * pressed with nothing selected puts a new span.
   * @returns {{start: number, end: number} | null}
   */
  wordAfterFocus() {
    const from = this.focused ? /** @type {Span} */ (this.spans.get(this.focused)).end : 0;
    const local = this.doc.toLocal(from, true);
    for (let p = local.paragraph; p < this.doc.paragraphs.length; p++) {
      const text = this.doc.paragraphs[p].text;
      const w = words(text, this.locale).find(([s]) => p > local.paragraph || s >= local.offset);
      if (w) return { start: this.doc.toGlobal(p, w[0]), end: this.doc.toGlobal(p, w[1]) };
    }
    return null;
  }

  /**
   * Put a span on the page: its highlight, its list item in document order, the count.
   * Saving it is the caller's business.
   * @param {Span} span
   */
  showSpan(span) {
    this.spans.set(span.key, span);
    this.draw(this.layout.add(this.layoutSpan(span)));
    this.placeItem(span.key);
    this.updateCount();
  }

  /**
   * Redraw a span whose offsets or label changed, and move its list item to match.
   * @param {Span} span
   */
  reshape(span) {
    this.erase(span.key);
    this.draw(this.layout.update(this.layoutSpan(span)).after);
    this.placeItem(span.key);
  }

  /**
   * Add a span on the page and queue its creation.
   * @param {{label: string, start: number, end: number, attributes: Record<string, string>, note: string}} fields
   * @param {string} [key] reuse a client_id (undoing a delete)
   * @returns {string}
   */
  addSpan(fields, key = crypto.randomUUID()) {
    /** @type {Span} */
    const span = { key, id: null, ...fields, quote: this.doc.slice(fields.start, fields.end), server: null };
    this.showSpan(span);
    this.outbox.createSpan(key, {
      label: span.label,
      start: span.start,
      end: span.end,
      quote: span.quote,
      attributes: span.attributes,
      note: span.note,
    });
    return key;
  }

  // ---------------------------------------------------------------- changing spans

  /**
   * Change a span on the page and queue the PATCH; returns the fields as they were.
   * @param {string} key
   * @param {Partial<Pick<Span, "label" | "start" | "end" | "attributes" | "note">>} changes
   * @param {boolean} [record] push an undo entry
   */
  changeSpan(key, changes, record = true) {
    const span = this.spans.get(key);
    if (!span) return;
    /** @type {Record<string, any>} */
    const before = {};
    /** @type {Record<string, any>} */
    const sent = { ...changes };
    for (const k of Object.keys(changes)) before[k] = /** @type {any} */ (span)[k];
    Object.assign(span, changes);
    if ("start" in changes || "end" in changes) {
      span.quote = this.doc.slice(span.start, span.end);
      sent.start = span.start;
      sent.end = span.end;
      sent.quote = span.quote;
    }
    delete span.error;
    if ("start" in changes || "end" in changes || "label" in changes) this.reshape(span);
    this.refreshItem(key);
    // An edit made in the panel is already shown there; re-rendering would move the
    // keyboard focus out of the control being used.
    const fromPanel = record && Object.keys(changes).every((k) => k === "attributes" || k === "note");
    if (key === this.focused && !fromPanel) this.renderPanel();
    this.outbox.patchSpan(key, sent);
    if (record) this.undoStack.push({ undo: () => this.changeSpan(key, before, false) });
  }

  /** @param {string} label */
  relabel(label) {
    const span = this.focused ? this.spans.get(this.focused) : null;
    if (!span || span.label === label) return;
    const broken = [...this.relations.values()].filter(
      (r) => (r.from === span.key || r.to === span.key) && !this.relationAllowed(r.type, r.from === span.key ? label : this.labelOf(r.from), r.to === span.key ? label : this.labelOf(r.to)),
    );
    if (broken.length) {
      this.say(`Cannot relabel as ${label}: it would break ${broken.map((r) => `the ${r.type} relation`).join(", ")}. Remove those first.`);
      return;
    }
    this.changeSpan(span.key, { label });
    this.say(`Relabelled as ${label}.`);
  }

  /** @param {string} key */
  labelOf(key) {
    return this.spans.get(key)?.label ?? "";
  }

  /**
   * Move the focused span's start or end by one word, across paragraphs if need be.
   * @param {"start" | "end"} edge
   * @param {-1 | 1} direction
   */
  moveEdge(edge, direction) {
    const span = this.focused ? this.spans.get(this.focused) : null;
    if (!span) return;
    const P = this.doc.paragraphs;
    const local = this.doc.toLocal(edge === "start" ? span.start : span.end, edge === "start");
    const move = edge === "start" ? moveStartByWord : moveEndByWord;
    let p = local.paragraph;
    let found = move(P[p].text, local.offset, direction, this.locale);
    while (found === null) {
      p += direction;
      if (p < 0 || p >= P.length) return;
      // Entering a paragraph from its far side: any word in it qualifies.
      found = move(P[p].text, direction > 0 ? -1 : P[p].text.length + 1, direction, this.locale);
    }
    const cp = this.doc.toGlobal(p, found);
    if (edge === "start" ? cp >= span.end : cp <= span.start) return;
    this.changeSpan(span.key, edge === "start" ? { start: cp } : { end: cp });
  }

  deleteFocused() {
    if (!this.focused) return;
    const key = this.focused;
    const next = this.layout.next(key) ?? this.layout.prev(key);
    const span = /** @type {Span} */ (this.spans.get(key));
    const removed = this.removeSpan(key, true);
    this.say(
      `Deleted ${span.label} “${shorten(span.quote, 60)}”` +
        (removed.length ? ` and ${removed.length} relation${removed.length === 1 ? "" : "s"} with it.` : "."),
    );
    this.focus(next?.key ?? null);
  }

  /**
   * Take a span and the relations that use it off the page: its highlight, its list item,
   * and those relations in the other spans' items. Saving that is the caller's business.
   * @param {string} key
   * @returns {Rel[]} the relations that went with it
   */
  hideSpan(key) {
    const rels = [...this.relations.values()].filter((r) => r.from === key || r.to === key);
    for (const r of rels) this.relations.delete(r.key);
    this.erase(key);
    this.layout.remove(key);
    this.spans.delete(key);
    this.itemOf(key)?.remove();
    if (this.focused === key) this.focus(null);
    for (const r of rels) this.refreshItem(r.from === key ? r.to : r.from);
    this.updateCount();
    return rels;
  }

  /**
   * Remove a span and the relations that use it from the page, and queue the delete.
   * @param {string} key
   * @param {boolean} record
   * @returns {Rel[]} the relations that went with it
   */
  removeSpan(key, record) {
    const span = this.spans.get(key);
    if (!span) return [];
    const rels = this.hideSpan(key);
    // A span the server refused was never saved: there is nothing to delete there.
    if (!(span.error && span.id === null && !span.server)) this.outbox.deleteSpan(key);
    if (record) {
      this.undoStack.push({
        undo: () => {
          this.addSpan({ label: span.label, start: span.start, end: span.end, attributes: span.attributes, note: span.note }, key);
          for (const r of rels) this.addRelation(r.type, r.from, r.to, r.key);
          this.focus(key);
        },
      });
    }
    return rels;
  }

  undo() {
    const entry = this.undoStack.pop();
    if (!entry) {
      this.say("Nothing to undo.");
      return;
    }
    entry.undo();
    this.say("Undone.");
  }

  // ---------------------------------------------------------------- focus and navigation

  /** @param {-1 | 1} direction */
  step(direction) {
    // Picking a relation target starts from the source span, so j offers the span after it.
    const current = this.mode === "relation" ? (this.target ?? this.focused) : this.focused;
    const next = direction > 0 ? this.layout.next(current) : this.layout.prev(current);
    if (!next) return;
    if (this.mode === "relation") {
      const old = this.target;
      this.target = next.key;
      if (old) this.redraw(old);
      this.redraw(next.key);
      this.reveal(next.key);
      this.say(`Target: ${next.label} “${shorten(this.spans.get(next.key)?.quote ?? "", 60)}”. Enter to link.`);
    } else {
      this.focus(next.key);
    }
  }

  /**
   * Keys of the spans related to a span, either way.
   * @param {string} key
   * @returns {Set<string>}
   */
  linked(key) {
    const out = new Set();
    for (const r of this.relations.values()) {
      if (r.from === key) out.add(r.to);
      if (r.to === key) out.add(r.from);
    }
    return out;
  }

  /**
   * Redraw the spans related to a span, so the "related" layer follows the focus.
   * @param {string | null} key
   */
  redrawLinked(key) {
    if (key) for (const other of this.linked(key)) this.redraw(other);
  }

  /** @param {string | null} key */
  focus(key) {
    const old = this.focused;
    this.focused = key;
    if (old && old !== key) {
      this.redraw(old);
      this.redrawLinked(old);
      this.itemOf(old)?.setAttribute("aria-selected", "false");
    }
    if (key && key !== old) this.redrawLinked(key);
    if (key) {
      this.redraw(key);
      const li = this.itemOf(key);
      li?.setAttribute("aria-selected", "true");
      this.el.list.setAttribute("aria-activedescendant", `opt-${key}`);
      this.reveal(key);
    } else {
      this.el.list.removeAttribute("aria-activedescendant");
      if (this.mode !== "normal") this.setMode("normal");
    }
    this.renderPanel();
  }

  /**
   * Scroll a span into view in the text and in the list.
   * @param {string} key
   */
  reveal(key) {
    this.itemOf(key)?.scrollIntoView({ block: "nearest" });
    const first = this.drawn.get(key)?.[0];
    if (first) scrollToRange(first);
  }

  // ---------------------------------------------------------------- side panel

  openPanel() {
    this.renderPanel();
    const first = this.el.panel.querySelector("input, select, textarea");
    if (first instanceof HTMLElement) first.focus();
  }

  renderPanel() {
    const span = this.focused ? this.spans.get(this.focused) : null;
    this.el.panel.hidden = !span;
    if (!span) {
      this.el.panel.replaceChildren();
      return;
    }
    const def = this.schema.labels.find((l) => l.name === span.label);
    const disabled = this.readOnly ? { disabled: "" } : {};
    const fields = (def?.attributes ?? []).map((attr) => {
      const value = span.attributes[attr.name] ?? "";
      if (attr.type === "enum") {
        const values = attr.values ?? [];
        return h("fieldset", { class: "attr" }, [
          h("legend", {}, [attr.name]),
          ...values.map((v) => {
            const input = h("input", { type: "radio", name: `attr-${attr.name}`, value: v, "data-attr": attr.name, ...disabled });
            input.checked = value === v;
            return h("label", {}, [input, ` ${v}`]);
          }),
        ]);
      }
      const input = h("input", { type: "text", "data-attr": attr.name, dir: "auto", ...disabled });
      input.value = value;
      return h("label", { class: "attr" }, [`${attr.name} `, input]);
    });
    const note = h("textarea", { id: "span-note", rows: "3", dir: "auto", "data-note": "", ...disabled });
    note.value = span.note;
    const rels = [...this.relations.values()].filter((r) => r.from === span.key || r.to === span.key);
    const relItems = rels.map((r) => {
      const other = this.spans.get(r.from === span.key ? r.to : r.from);
      const text = `${r.from === span.key ? "→" : "←"} ${r.type} ${other?.label ?? ""} “${shorten(other?.quote ?? "", 40)}”`;
      const children = [text];
      if (!this.readOnly) children.push(" ", h("button", { type: "button", "data-remove-relation": r.key, "aria-label": `Remove relation ${text}` }, ["✕"]));
      return h("li", {}, children);
    });
    const children = [
      h("h3", {}, [`${span.label} `, h("q", { dir: "auto" }, [shorten(span.quote, 120)])]),
      ...fields,
      h("label", { for: "span-note" }, ["Note"]),
      note,
      h("h4", {}, ["Relations"]),
      relItems.length ? h("ul", { class: "panel-relations" }, relItems) : h("p", {}, ["None. Press r to link this span to another."]),
    ];
    if (span.error) children.push(h("p", { class: "span-error", role: "alert" }, [span.error]));
    if (!this.readOnly) children.push(h("button", { type: "button", "data-delete-span": "", class: "danger" }, ["Delete span"]));
    this.el.panel.replaceChildren(...children);
  }

  /** @param {Event} e */
  onPanelChange(e) {
    const t = e.target;
    if (!(t instanceof HTMLInputElement) || !this.focused || this.readOnly) return;
    const attr = t.dataset.attr;
    if (!attr) return;
    const span = /** @type {Span} */ (this.spans.get(this.focused));
    this.changeSpan(span.key, { attributes: { ...span.attributes, [attr]: t.value } });
  }

  /** @param {Event} e */
  onPanelInput(e) {
    const t = e.target;
    if (!(t instanceof HTMLTextAreaElement) || !this.focused || this.readOnly) return;
    const span = /** @type {Span} */ (this.spans.get(this.focused));
    // One undo entry per editing session of the note, not one per keystroke.
    const last = this.undoStack[this.undoStack.length - 1];
    const record = !(last && /** @type {any} */ (last).noteOf === span.key);
    const before = span.note;
    span.note = t.value;
    this.refreshItem(span.key);
    this.outbox.patchSpan(span.key, { note: t.value });
    if (record) {
      const entry = { noteOf: span.key, undo: () => this.changeSpan(span.key, { note: before }, false) };
      this.undoStack.push(entry);
    }
  }

  /** @param {MouseEvent} e */
  onPanelClick(e) {
    const t = e.target instanceof Element ? e.target.closest("button") : null;
    if (!t || this.readOnly) return;
    if (t.hasAttribute("data-delete-span")) this.deleteFocused();
    const rel = t.getAttribute("data-remove-relation");
    if (rel) this.removeRelation(rel, true);
  }

  // ---------------------------------------------------------------- relations

  /**
   * @param {string} type
   * @param {string} fromLabel
   * @param {string} toLabel
   */
  relationAllowed(type, fromLabel, toLabel) {
    return this.allowedTypes(fromLabel, toLabel).includes(type);
  }

  /**
   * Relation types the schema allows from one label to another.
   * @param {string} fromLabel
   * @param {string} toLabel
   * @returns {string[]}
   */
  allowedTypes(fromLabel, toLabel) {
    return (this.schema.relations ?? [])
      .filter(
        (r) =>
          (r.from.includes(fromLabel) && r.to.includes(toLabel)) ||
          (r.symmetric && r.from.includes(toLabel) && r.to.includes(fromLabel)),
      )
      .map((r) => r.name);
  }

  startRelation() {
    if (!this.focused) return;
    this.setMode("relation");
    this.step(1);
    if (!this.target) this.step(-1);
  }

  /** @param {string} key */
  pickTarget(key) {
    const from = this.focused;
    this.setMode("normal");
    if (!from) return;
    if (key === from) {
      this.say("A span cannot be related to itself.");
      return;
    }
    const types = this.allowedTypes(this.labelOf(from), this.labelOf(key));
    if (types.length === 0) {
      this.say(`The schema allows no relation from ${this.labelOf(from)} to ${this.labelOf(key)}.`);
      return;
    }
    if (types.length === 1) {
      this.linkSpans(types[0], from, key);
      return;
    }
    this.pendingRelation = { from, to: key };
    const form = /** @type {HTMLFormElement} */ (this.el.relationDialog.querySelector("form"));
    form.replaceChildren(
      h("p", {}, [`Relation from ${this.labelOf(from)} to ${this.labelOf(key)}:`]),
      ...types.map((t) => h("button", { value: t, type: "submit" }, [t])),
      h("button", { value: "", type: "submit", class: "secondary" }, ["Cancel"]),
    );
    this.showDialog(this.el.relationDialog);
  }

  /** @param {string} type */
  chooseRelationType(type) {
    const pending = this.pendingRelation;
    this.pendingRelation = null;
    if (type && pending) this.linkSpans(type, pending.from, pending.to);
  }

  /**
   * @param {string} type
   * @param {string} from
   * @param {string} to
   */
  linkSpans(type, from, to) {
    if ([...this.relations.values()].some((r) => r.type === type && r.from === from && r.to === to)) {
      this.say("These spans are already linked that way.");
      return;
    }
    const key = this.addRelation(type, from, to);
    this.undoStack.push({ undo: () => this.removeRelation(key, false) });
    this.say(`Linked: ${this.labelOf(from)} ${type} ${this.labelOf(to)}.`);
  }

  /**
   * Put a relation on the page: in both spans' list items, their highlights and the panel.
   * Saving it is the caller's business.
   * @param {Rel} rel
   */
  showRelation(rel) {
    this.relations.set(rel.key, rel);
    this.relationChanged(rel);
  }

  /**
   * Take a relation off the page; saving that is the caller's business.
   * @param {string} key
   * @returns {Rel | undefined} the relation, if the page had it
   */
  hideRelation(key) {
    const rel = this.relations.get(key);
    if (!rel) return undefined;
    this.relations.delete(key);
    this.relationChanged(rel);
    return rel;
  }

  /** @param {Rel} rel */
  relationChanged(rel) {
    this.refreshItem(rel.from);
    this.refreshItem(rel.to);
    this.redraw(rel.from);
    this.redraw(rel.to);
    if (this.focused === rel.from || this.focused === rel.to) this.renderPanel();
  }

  /**
   * @param {string} type
   * @param {string} from
   * @param {string} to
   * @param {string} [key]
   * @returns {string}
   */
  addRelation(type, from, to, key = crypto.randomUUID()) {
    this.showRelation({ key, id: null, type, from, to });
    this.outbox.createRelation(key, { type, from, to });
    return key;
  }

  /**
   * @param {string} key
   * @param {boolean} record
   */
  removeRelation(key, record) {
    const rel = this.hideRelation(key);
    if (!rel) return;
    this.outbox.deleteRelation(key);
    if (record) this.undoStack.push({ undo: () => this.addRelation(rel.type, rel.from, rel.to, key) });
    this.say(`Removed the ${rel.type} relation.`);
  }

  // ---------------------------------------------------------------- server answers

  /**
   * @param {import("./outbox.js").Op} op
   * @param {any} result
   */
  acknowledged(op, result) {
    if (!result) return;
    if (op.kind === "span.create" || op.kind === "span.patch") {
      const span = this.spans.get(op.target);
      if (span) {
        span.id = result.id;
        span.server = result;
        // A relabel drops attributes the new label does not have; show what the server kept.
        if ("label" in op.body && !this.outbox.pending.some((p) => p.target === span.key)) {
          span.attributes = result.attributes ?? {};
          this.refreshItem(span.key);
          if (this.focused === span.key) this.renderPanel();
        }
      }
    } else if (op.kind === "relation.create") {
      const rel = this.relations.get(op.target);
      if (rel) rel.id = result.id;
    }
  }

  /**
   * Someone (another tab, an editor) changed the object since this page last saw it.
   * @param {import("./outbox.js").Op} op
   * @param {any} current
   */
  conflicted(op, current) {
    this.conflicts.push({ op, current });
    if (!this.el.conflictDialog.open) this.showConflict();
  }

  showConflict() {
    const c = this.conflicts[0];
    if (!c) return;
    const fields = c.op.kind === "span.delete" ? ["label", "quote", "note"] : Object.keys(c.op.body).filter((k) => k !== "quote");
    const fmt = (/** @type {any} */ v) => (typeof v === "object" && v !== null ? JSON.stringify(v) : String(v ?? ""));
    const rows = fields.map((f) =>
      h("tr", {}, [
        h("th", { scope: "row" }, [f]),
        h("td", { class: "mine" }, [c.op.kind === "span.delete" ? "(deleted)" : fmt(c.op.body[f])]),
        h("td", { class: "theirs" }, [fmt(c.current?.[f])]),
      ]),
    );
    const body = this.el.conflictDialog.querySelector("tbody");
    body?.replaceChildren(...rows);
    const intro = this.el.conflictDialog.querySelector("[data-intro]");
    if (intro) {
      intro.textContent =
        c.op.kind === "span.delete"
          ? "This span was changed elsewhere after you loaded the page, and you deleted it here."
          : "This span was changed elsewhere (another tab or person) while you edited it here. Your change is kept only for the fields you changed; everything else keeps the other version.";
    }
    this.showDialog(this.el.conflictDialog);
  }

  /** @param {string} choice "mine" or "theirs" */
  resolveConflict(choice) {
    const c = this.conflicts.shift();
    if (!c) return;
    const key = c.op.target;
    const theirs = c.current;
    if (theirs && c.op.kind.startsWith("span.")) {
      // Start from the server's version; then re-apply this page's change if chosen.
      const existing = this.spans.get(key);
      const fields = {
        label: theirs.label,
        start: theirs.start,
        end: theirs.end,
        attributes: theirs.attributes ?? {},
        note: theirs.note ?? "",
      };
      if (existing) {
        Object.assign(existing, fields, { quote: theirs.quote, server: theirs, id: theirs.id });
        this.reshape(existing);
        this.refreshItem(key);
      } else {
        this.showSpan({ key, id: theirs.id, ...fields, quote: theirs.quote, server: theirs });
      }
      if (choice === "mine") {
        if (c.op.kind === "span.delete") this.removeSpan(key, false);
        else this.changeSpan(key, /** @type {any} */ (c.op.body), false);
      }
      if (this.focused === key) this.renderPanel();
    }
    this.say(choice === "mine" ? "Kept your version." : "Kept the other version.");
    if (this.conflicts.length) this.showConflict();
  }

  /**
   * The server refused a change: say why, next to the span.
   * @param {import("./outbox.js").Op} op
   * @param {import("./outbox.js").ApiError} error
   * @param {import("./outbox.js").Op[]} dropped
   */
  refused(op, error, dropped) {
    if (op.kind === "span.create" || op.kind === "span.patch") {
      const span = this.spans.get(op.target);
      if (span) {
        if (op.kind === "span.patch" && span.server) {
          // Back to what the server holds, so the page never shows what was not saved.
          const s = span.server;
          Object.assign(span, {
            label: s.label,
            start: s.start,
            end: s.end,
            quote: this.doc.slice(s.start, s.end),
            attributes: s.attributes ?? {},
            note: s.note ?? "",
          });
          this.reshape(span);
        }
        span.error = error.message;
        this.redraw(span.key);
        this.refreshItem(span.key);
        if (this.focused === span.key) this.renderPanel();
      }
    }
    for (const d of [op, ...dropped]) {
      if (d.kind === "relation.create") this.hideRelation(d.target);
    }
    this.say(`Not saved: ${error.message}`);
  }

  // ---------------------------------------------------------------- submit

  async submit() {
    if (this.outbox.pending.length) {
      this.outbox.flush();
      this.say("Saving your last changes before submitting…");
      if (!(await this.saved())) {
        this.say("Cannot submit while changes are not saved; try again when you are back online.");
        return;
      }
    }
    const result = await call(`${this.config.urls.api}/documents/${this.config.document.id}/submit/`, { method: "POST", body: {} });
    if (!result.ok) {
      this.say(`Not submitted (your annotations are saved): ${result.json.error.message}`);
      return;
    }
    this.setMode("normal");
    this.setReadOnly(true);
    this.say("Submitted. Thank you!");
  }
}

const configEl = document.getElementById("annotate-config");
if (configEl?.textContent) {
  new Workspace(JSON.parse(configEl.textContent)).start();
}
