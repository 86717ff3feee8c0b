// @ts-check
/**
 * The compare and adjudicate page. The article is drawn once by the annotators' widget
 * (annotate.js), here editing the gold layer; on top of it this module draws the
 * annotators' proposals still open (disagreements, and agreed ones not yet in gold),
 * lists every candidate disagreements first, and turns one key into a decision.
 *
 * Two modes share the keyboard: reviewing candidates (j/k, Enter, Delete, u) and editing
 * gold spans exactly as an annotator edits theirs (g to enter, Escape to leave). The
 * review lease is claimed on load and renewed while the page is open; without it the
 * page is read-only and says who holds the document.
 *
 * @module review
 */

import { Workspace } from "./annotate.js";
import { formatFigure } from "./agreement-charts.js";
import { $, call, csrfToken, h, scrollToRange, shorten, when } from "./dom.js";
import { nextOpen, ordered, reviewAction, step, visible } from "./candidates.js";
import { SpanLayout } from "./layout.js";
import { Thread } from "./thread.js";

const LEASE_RENEW_MS = 5 * 60 * 1000;
// Candidate items built before the first paint, and per idle batch after it: a long
// article has hundreds, and laying them all out first would delay the page.
const FIRST_ITEMS = 40;
const ITEM_BATCH = 100;
const REFRESH_DELAY_MS = 400;
const FIGURES = [
  ["u_alpha", "uα"],
  ["alpha_u", "αU"],
  ["char_alpha", "char α"],
  ["f1_exact", "F1 exact"],
  ["f1_overlap", "F1 overlap"],
  ["relations_f1", "Relation F1"],
];
const LABEL_FIGURES = [
  ["alpha_u_by_label", "αU"],
  ["f1_exact_by_label", "F1 exact"],
  ["f1_overlap_by_label", "F1 overlap"],
];
const STATUS_TEXT = { open: "open", accepted: "in gold", rejected: "rejected" };

/** The annotators' widget, editing the gold layer; it hears keys only in gold mode. */
class GoldWorkspace extends Workspace {
  /**
   * @param {any} config
   * @param {ReviewPage} page
   */
  constructor(config, page) {
    super(config);
    this.page = page;
  }

  /** @param {KeyboardEvent} e */
  onKey(e) {
    if (this.page.mode === "gold") super.onKey(e);
  }

  /** @param {boolean} readOnly */
  setReadOnly(readOnly) {
    super.setReadOnly(readOnly);
    this.el.submit.hidden = true;
    if (readOnly) this.el.banner.textContent = this.page.readOnlyReason();
    this.el.banner.hidden = !readOnly && this.mode === "normal";
  }

  renderPanel() {
    super.renderPanel();
    this.page?.showVerdict(this.focused ? this.spans.get(this.focused) ?? null : null);
  }

  /**
   * @param {any} op
   * @param {any} result
   */
  acknowledged(op, result) {
    super.acknowledged(op, result);
    // A claim just saved can take a verdict now that it has an id.
    if (op.target === this.focused) this.page.showVerdict(this.spans.get(op.target) ?? null);
    // A gold span drawn or moved by hand may now stand for a candidate: resync the list.
    this.page.scheduleRefresh();
  }

  /** @param {number} id */
  keyOf(id) {
    for (const span of this.spans.values()) if (span.id === id) return span.key;
    return null;
  }

  /**
   * Show a gold span the server made (a candidate accepted), as if it had been loaded.
   * @param {any} s  the span as the API returns it
   */
  adoptSpan(s) {
    if (this.keyOf(s.id)) return;
    const key = s.client_id ?? `id-${s.id}`;
    this.outbox.seed([{ client_id: key, id: s.id, version: s.version }]);
    this.showSpan({ key, id: s.id, label: s.label, start: s.start, end: s.end, quote: s.quote, attributes: s.attributes ?? {}, note: s.note ?? "", server: s });
  }

  /**
   * Forget a gold span the server removed (a candidate rejected), with its relations.
   * @param {number} id
   */
  dropSpan(id) {
    const key = this.keyOf(id);
    if (key) this.hideSpan(key);
  }

  /** @param {any} r  the relation as the API returns it */
  adoptRelation(r) {
    const from = this.keyOf(r.from_span);
    const to = this.keyOf(r.to_span);
    const key = r.client_id ?? `id-${r.id}`;
    if (!from || !to || this.relations.has(key)) return;
    this.outbox.seed([{ client_id: key, id: r.id }]);
    this.showRelation({ key, id: r.id, type: r.type, from, to });
  }

  /** @param {number} id */
  dropRelation(id) {
    for (const r of [...this.relations.values()]) if (r.id === id) this.hideRelation(r.key);
  }
}

class ReviewPage {
  /** @param {any} config */
  constructor(config) {
    this.config = config;
    this.review = config.review;
    this.documentId = config.document.id;
    this.api = config.urls.api;
    /** @type {"candidates" | "gold"} */
    this.mode = "candidates";
    /** @type {Set<string>} annotators toggled off */
    this.hidden = new Set();
    /** @type {string | null} the focused candidate's key */
    this.current = null;
    /** @type {string | null} the last candidate decided, for u */
    this.lastDecided = null;
    this.accepted = Boolean(this.review.document.accepted_at);
    this.leaseHeld = false;
    /** @type {string} why the page is read-only, when it is */
    this.lockedBy = "";
    /** @type {Map<number, any>} verdicts by gold span id */
    this.verdicts = new Map(config.verdicts.map((/** @type {any} */ v) => [v.span, v]));
    /** @type {any} */
    this.refreshTimer = null;
    /** @type {any} */
    this.leaseTimer = null;
    /** @type {any[]} */
    this.list = [];
    /** @type {any[]} */
    this.shown = [];
    /** @type {Map<string, any>} */
    this.byKey = new Map();
    /** @type {Map<string, HTMLLIElement>} the items built so far, in `shown` order */
    this.items = new Map();
    /** @type {Map<string, number>} each shown candidate's place in the list */
    this.position = new Map();
    /** Bumped by every rebuild of the list, so that an old rebuild's idle batches stop. */
    this.generation = 0;
    this.ws = new GoldWorkspace({ ...config, read_only: true }, this);
    this.candidateLayout = new SpanLayout(this.ws.doc);
    this.highlights = {
      open: new Highlight(),
      agreed: new Highlight(),
      focus: new Highlight(),
    };
    this.el = {
      list: $("#candidate-list"),
      count: $("#candidate-count"),
      lease: $("#lease-banner"),
      mode: $("#review-mode"),
      toggles: $("#annotator-toggles"),
      annotators: $("#annotator-list"),
      comments: $("#comment-list"),
      commentForm: /** @type {HTMLFormElement} */ ($("#comment-form")),
      verdict: /** @type {HTMLFormElement} */ ($("#verdict-panel")),
      figures: $("#agreement-figures"),
      history: /** @type {HTMLDetailsElement} */ ($("#history")),
      mergeForm: /** @type {HTMLFormElement} */ ($("#merge-form")),
      accept: /** @type {HTMLButtonElement} */ ($("#accept-button")),
      acceptDialog: /** @type {HTMLDialogElement} */ ($("#accept-dialog")),
      sendBackDialog: /** @type {HTMLDialogElement} */ ($("#send-back-dialog")),
    };
  }

  start() {
    performance.mark("fc-review-start");
    this.ws.start();
    this.installHighlights();
    this.renderToggles();
    this.renderCandidates();
    this.renderAnnotators();
    this.renderCommentTargets();
    this.bindEvents();
    // No focus() here: focusing the list would lay the page out before its first frame.
    this.setModeQuietly("candidates");
    this.updateWritable();
    document.documentElement.dataset.reviewReady = "true";
    performance.mark("fc-review-ready");
    requestAnimationFrame(() => setTimeout(() => performance.mark("fc-review-painted"), 0));
    if (!this.accepted) this.claimLease(false);
    this.loadAgreement();
    new Thread({ list: this.el.comments, form: this.el.commentForm, url: `${this.api}/documents/${this.documentId}/comments/`, say: (text) => this.say(text) }).load();
  }

  // ---------------------------------------------------------------- state

  readOnlyReason() {
    if (this.accepted) return "Accepted: the gold layer is final.";
    if (this.lockedBy) return this.lockedBy;
    if (!this.review.gold) return "Gold starts with a merge, or with the first candidate you accept.";
    return "Read-only.";
  }

  canDecide() {
    return !this.accepted && this.leaseHeld;
  }

  updateWritable() {
    this.ws.setReadOnly(!this.canDecide() || !this.review.gold);
    const disabled = !this.canDecide();
    for (const b of this.el.list.querySelectorAll("button")) /** @type {HTMLButtonElement} */ (b).disabled = disabled;
    for (const b of this.el.mergeForm.querySelectorAll("button, select, input")) /** @type {HTMLInputElement} */ (b).disabled = disabled;
    this.el.accept.disabled = disabled;
    for (const b of this.el.annotators.querySelectorAll("button")) /** @type {HTMLButtonElement} */ (b).disabled = disabled;
    this.showVerdict(this.ws.focused ? this.ws.spans.get(this.ws.focused) ?? null : null);
  }

  /** @param {"candidates" | "gold"} mode */
  setMode(mode) {
    this.setModeQuietly(mode);
    if (mode === "gold") this.ws.el.list.focus();
    else this.el.list.focus();
  }

  /** @param {string} text */
  say(text) {
    this.ws.say(text);
  }

  // ---------------------------------------------------------------- candidates

  installHighlights() {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(
      [
        "::highlight(fc-cand-open) { background-color: rgb(255 196 0 / 0.35); }",
        "::highlight(fc-cand-agreed) { background-color: rgb(47 158 68 / 0.18); }",
        "::highlight(fc-cand-focus) { background-color: rgb(255 120 0 / 0.5); }",
      ].join("\n"),
    );
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    this.highlights.open.priority = 0;
    this.highlights.agreed.priority = 0;
    this.highlights.focus.priority = 7;
    CSS.highlights.set("fc-cand-open", this.highlights.open);
    CSS.highlights.set("fc-cand-agreed", this.highlights.agreed);
    CSS.highlights.set("fc-cand-focus", this.highlights.focus);
  }

  /**
   * The text ranges of a span candidate (of both ends, for a relation).
   * @param {any} c
   * @returns {StaticRange[]}
   */
  rangesOf(c) {
    if (c.kind === "relation") return [...this.rangesOf(this.byKey.get(c.source) ?? {}), ...this.rangesOf(this.byKey.get(c.target) ?? {})];
    if (c.start === undefined) return [];
    const placed = this.candidateLayout.get(c.key) ?? this.candidateLayout.add({ key: c.key, start: c.start, end: c.end, label: c.label });
    return placed.pieces.map(
      (/** @type {any} */ p) =>
        new StaticRange({ startContainer: this.ws.textNodes[p.paragraph], startOffset: p.start, endContainer: this.ws.textNodes[p.paragraph], endOffset: p.end }),
    );
  }

  renderCandidates() {
    this.list = ordered(this.review.span_candidates, this.review.relation_candidates);
    this.byKey = new Map(this.list.map((c) => [c.key, c]));
    this.shown = visible(this.list, this.hidden);
    this.position = new Map(this.shown.map((c, i) => [c.key, i]));
    this.items = new Map();
    this.el.list.replaceChildren();
    const generation = ++this.generation;
    this.appendItems(FIRST_ITEMS);
    const more = () => {
      if (generation !== this.generation || this.items.size >= this.shown.length) return;
      this.appendItems(ITEM_BATCH);
      requestIdleCallback(more);
    };
    requestIdleCallback(more);
    if (this.current && !this.position.has(this.current)) this.current = null;
    if (this.current) this.markCurrent(this.current, false);
    this.drawCandidates();
    this.updateCount();
  }

  /**
   * Build the next `n` items of the list, in order.
   * @param {number} n
   */
  appendItems(n) {
    const start = this.items.size;
    const batch = this.shown.slice(start, start + n).map((c, i) => {
      const li = this.candidateItem(c, start + i);
      this.items.set(c.key, li);
      return li;
    });
    this.el.list.append(...batch);
  }

  /**
   * The candidate's item, building the list up to it if the idle batches have not yet.
   * @param {string} key
   * @returns {HTMLLIElement | undefined}
   */
  itemOf(key) {
    const at = this.position.get(key);
    if (at !== undefined && at >= this.items.size) this.appendItems(at - this.items.size + ITEM_BATCH);
    return this.items.get(key);
  }

  drawCandidates() {
    for (const highlight of Object.values(this.highlights)) highlight.clear();
    // Gold draws what is accepted, and a rejected candidate is shown in the list only: its
    // characters may well be in gold under another candidate.
    for (const c of this.shown) {
      if (c.kind !== "span" || c.status !== "open") continue;
      const target = c.agreed ? this.highlights.agreed : this.highlights.open;
      for (const r of this.rangesOf(c)) target.add(r);
    }
    const current = this.current ? this.byKey.get(this.current) : null;
    if (current) for (const r of this.rangesOf(current)) this.highlights.focus.add(r);
  }

  updateCount() {
    const open = this.list.filter((c) => c.status === "open").length;
    this.el.count.textContent = `(${open} open of ${this.list.length})`;
  }

  /**
   * @param {any} c
   * @returns {string}
   */
  describe(c) {
    return c.kind === "relation" ? `${c.type}: ${this.endpoints(c)}` : `${c.label} “${shorten(this.quoteOf(c), 60)}”`;
  }

  /**
   * A span candidate's words: the page's copy of the candidates leaves them out (they are
   * in the text), the API's has them.
   * @param {any} c
   * @returns {string}
   */
  quoteOf(c) {
    return c.quote ?? this.ws.doc.slice(c.start, c.end);
  }

  /**
   * A relation candidate's two ends, in words.
   * @param {any} c
   */
  endpoints(c) {
    const source = this.byKey.get(c.source);
    const target = this.byKey.get(c.target);
    return `${source?.label ?? "?"} “${shorten(source ? this.quoteOf(source) : "", 40)}” → ${target?.label ?? "?"} “${shorten(target ? this.quoteOf(target) : "", 40)}”`;
  }

  /**
   * @param {any} c
   * @param {number} index
   * @returns {HTMLLIElement}
   */
  candidateItem(c, index) {
    const li = h("li", { role: "option", id: `cand-${index}`, "aria-selected": "false", "data-key": c.key, "data-status": c.status, class: `candidate ${c.agreed ? "agreed" : "disagreement"}` });
    const compared = this.review.compared.filter((/** @type {string} */ name) => !this.hidden.has(name));
    const label = c.kind === "span" ? c.label : c.type;
    const index_ = this.ws.labelIndex.get(label);
    const head = h("div", { class: "head" }, [
      h("span", { class: `tag${index_ === undefined ? " relation" : ` label-l${index_}`}` }, [label]),
      " ",
      c.kind === "span" ? h("q", { dir: "auto" }, [shorten(this.quoteOf(c), 90)]) : h("span", { dir: "auto" }, [this.endpoints(c)]),
    ]);
    const facts = h("div", { class: "facts" }, [
      h("span", { class: "votes", title: `${c.votes} of ${this.review.compared.length} annotators` }, [`${c.votes}/${this.review.compared.length}`]),
      " ",
      h("span", { class: `agreement ${c.agreed ? "agreed" : "disagreed"}` }, [c.agreed ? "all agree" : "disagreement"]),
      " ",
      h("span", { class: `state state-${c.status}`, "data-state": c.status }, [STATUS_TEXT[/** @type {"open"} */ (c.status)]]),
    ]);
    const voters = h(
      "div",
      { class: "voters" },
      compared.map((/** @type {string} */ name) => h("span", { class: c.voters.includes(name) ? "voter yes" : "voter no" }, [`${name} ${c.voters.includes(name) ? "✓" : "–"}`])),
    );
    const children = [head, facts, voters];
    if (c.kind === "span" && c.alternatives.length) {
      const alts = c.alternatives.map((/** @type {string} */ key) => {
        const other = this.byKey.get(key);
        return other ? `${other.label} “${shorten(this.quoteOf(other), 40)}” ${other.votes}/${this.review.compared.length}` : key;
      });
      children.push(h("div", { class: "alternatives" }, [`Alternatives: ${alts.join(" · ")}`]));
    }
    if (c.kind === "span" && Object.keys(c.attributes).length) {
      const parts = Object.entries(c.attributes).map(
        ([name, values]) => `${name}: ${Object.entries(/** @type {Record<string, string[]>} */ (values)).map(([value, who]) => `${value} (${who.join(", ")})`).join(" vs ")}`,
      );
      children.push(h("div", { class: "attributes" }, [parts.join(" · ")]));
    }
    const disabled = this.canDecide() ? {} : { disabled: "" };
    const actions = h("div", { class: "actions" }, [
      h("button", { type: "button", "data-decide": "accepted", ...disabled, "aria-keyshortcuts": "Enter" }, ["Accept"]),
      " ",
      h("button", { type: "button", "data-decide": "rejected", ...disabled, "aria-keyshortcuts": "Delete" }, ["Reject"]),
    ]);
    if (c.status !== "open") actions.append(" ", h("button", { type: "button", "data-decide": "open", ...disabled, "aria-keyshortcuts": "u" }, ["Reopen"]));
    children.push(actions);
    li.append(...children);
    li.setAttribute("aria-label", `${this.describe(c)}, ${c.votes} of ${this.review.compared.length} votes, ${c.agreed ? "all agree" : "disagreement"}, ${STATUS_TEXT[/** @type {"open"} */ (c.status)]}`);
    return li;
  }

  /**
   * @param {string} key
   * @param {boolean} [reveal]
   */
  markCurrent(key, reveal = true) {
    if (this.current && this.current !== key) this.items.get(this.current)?.setAttribute("aria-selected", "false");
    this.current = key;
    const li = this.itemOf(key);
    if (!li) return;
    li.setAttribute("aria-selected", "true");
    this.el.list.setAttribute("aria-activedescendant", li.id);
    if (reveal) {
      li.scrollIntoView({ block: "nearest" });
      const [first] = this.rangesOf(this.byKey.get(key));
      if (first) scrollToRange(first);
    }
  }

  /** @param {string | null} key */
  focusCandidate(key) {
    if (!key) return;
    this.markCurrent(key);
    this.drawCandidates();
    this.say(this.describe(this.byKey.get(key)));
  }

  /**
   * @param {string} key
   * @param {"accepted" | "rejected" | "open"} decision
   */
  async decide(key, decision) {
    const c = this.byKey.get(key);
    if (!c) return;
    if (!this.canDecide()) {
      this.say(this.readOnlyReason());
      return;
    }
    const result = await call(`${this.api}/documents/${this.documentId}/gold/decisions/`, { method: "POST", body: { candidate: key, decision } });
    if (!result.ok) {
      this.refused(result);
      return;
    }
    const d = result.json;
    if (c.kind === "span") {
      if (d.gold_span) this.ws.adoptSpan(d.gold_span);
      else if (c.gold_span) this.ws.dropSpan(c.gold_span);
      c.gold_span = d.gold_span?.id ?? null;
    } else {
      if (d.gold_relation) this.ws.adoptRelation(d.gold_relation);
      else if (c.gold_relation) this.ws.dropRelation(c.gold_relation);
      c.gold_relation = d.gold_relation?.id ?? null;
    }
    c.status = d.status;
    this.lastDecided = decision === "open" ? null : key;
    if (!this.review.gold) {
      this.review.gold = { id: null };
      this.updateWritable();
    }
    const done = { accepted: "Accepted", rejected: "Rejected", open: "Reopened" }[decision];
    const extra = d.removed_relations ? ` (and ${d.removed_relations} gold relation${d.removed_relations === 1 ? "" : "s"} with it)` : "";
    this.replaceItem(key);
    this.updateCount();
    const next = decision === "open" ? key : nextOpen(this.shown, key);
    if (next) this.markCurrent(next);
    this.drawCandidates();
    this.say(`${done} ${this.describe(c)}${extra}.${next && next !== key ? " Next: " + this.describe(this.byKey.get(next)) : ""}`);
    this.scheduleRefresh();
  }

  /** @param {string} key */
  replaceItem(key) {
    const old = this.items.get(key);
    if (!old) return;
    const index = Number(old.id.slice("cand-".length));
    const fresh = this.candidateItem(this.byKey.get(key), index);
    if (this.current === key) fresh.setAttribute("aria-selected", "true");
    old.replaceWith(fresh);
    this.items.set(key, fresh);
  }

  /** @param {{json: {error: {code: string, message: string}}}} result  a failed call() */
  refused(result) {
    const error = result.json.error;
    if (error.code === "lease_taken") this.lostLease(error.message);
    this.say(`Not saved: ${error.message}`);
  }

  /** Resync the candidates with the server once changes settle (gold edits, decisions). */
  scheduleRefresh() {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.refresh(), REFRESH_DELAY_MS);
  }

  async refresh() {
    const result = await call(`${this.api}/documents/${this.documentId}/review/`);
    if (!result.ok) return;
    this.review = result.json;
    this.renderCandidates();
  }

  // ---------------------------------------------------------------- keys and events

  bindEvents() {
    window.addEventListener("keydown", (e) => this.onKey(e), { capture: true });
    this.el.list.addEventListener("click", (e) => {
      const t = /** @type {Element} */ (e.target);
      const li = t.closest("li[data-key]");
      if (!(li instanceof HTMLElement)) return;
      const key = /** @type {string} */ (li.dataset.key);
      if (this.mode !== "candidates") this.setMode("candidates");
      const button = t.closest("button[data-decide]");
      if (button instanceof HTMLButtonElement) this.decide(key, /** @type {any} */ (button.dataset.decide));
      else this.focusCandidate(key);
    });
    this.ws.el.list.addEventListener("click", () => this.setMode("gold"));
    this.ws.el.panel.addEventListener("focusin", () => {
      if (this.mode !== "gold") this.setMode("gold");
    });
    this.el.toggles.addEventListener("change", (e) => {
      const input = /** @type {HTMLInputElement} */ (e.target);
      if (input.checked) this.hidden.delete(input.value);
      else this.hidden.add(input.value);
      this.renderCandidates();
    });
    this.el.mergeForm.addEventListener("submit", (e) => {
      e.preventDefault();
      this.merge();
    });
    this.el.mergeForm.addEventListener("change", () => this.showK());
    this.showK();
    this.el.accept.addEventListener("click", () => this.askAccept());
    this.el.acceptDialog.addEventListener("close", () => {
      if (this.el.acceptDialog.returnValue === "accept") this.accept();
    });
    this.el.annotators.addEventListener("click", (e) => {
      const button = /** @type {Element} */ (e.target).closest("button[data-send-back]");
      if (button instanceof HTMLButtonElement) this.askSendBack(/** @type {string} */ (button.dataset.sendBack));
    });
    this.el.sendBackDialog.addEventListener("close", () => {
      const dialog = this.el.sendBackDialog;
      if (dialog.returnValue === "send") this.sendBack(/** @type {string} */ (dialog.dataset.annotator), /** @type {HTMLTextAreaElement} */ (dialog.querySelector("textarea")).value);
    });
    this.el.verdict.addEventListener("submit", (e) => {
      e.preventDefault();
      this.saveVerdict();
    });
    this.el.verdict.querySelector("[data-delete-verdict]")?.addEventListener("click", () => this.deleteVerdict());
    this.el.history.addEventListener("toggle", () => {
      if (this.el.history.open) this.loadHistory();
    });
    this.el.lease.addEventListener("click", (e) => {
      if (/** @type {Element} */ (e.target).closest("button[data-takeover]")) this.claimLease(true);
    });
    window.addEventListener("pagehide", () => {
      if (this.leaseHeld) fetch(`${this.api}/documents/${this.documentId}/lease/`, { method: "DELETE", credentials: "same-origin", keepalive: true, headers: { "X-CSRFToken": csrfToken() } });
    });
  }

  /** @param {KeyboardEvent} e */
  onKey(e) {
    const t = e.target;
    const inEditable = t instanceof Element && t.closest("input, textarea, select, [contenteditable=true]") !== null;
    const onControl = t instanceof Element && t.closest("button, a, summary") !== null;
    const selection = getSelection();
    const action = reviewAction(e, {
      mode: this.mode,
      inEditable,
      dialogOpen: document.querySelector("dialog[open]") !== null,
      goldIdle: this.ws.focused === null && this.ws.mode === "normal",
      selection: Boolean(selection && !selection.isCollapsed && this.ws.el.text.contains(selection.anchorNode)),
      labelKeys: this.ws.keymap.labels,
    });
    if (!action) return;
    // Enter on a button or link is that control's own click.
    if (onControl && action.type === "accept") return;
    if (action.type === "goldCreate") {
      // The gold editor's own listener handles this very key next.
      this.setModeQuietly("gold");
      return;
    }
    e.preventDefault();
    e.stopImmediatePropagation();
    switch (action.type) {
      case "next":
      case "prev":
        this.focusCandidate(step(this.shown, this.current, action.type === "next" ? 1 : -1));
        break;
      case "accept":
      case "reject":
        if (this.current) this.decide(this.current, action.type === "accept" ? "accepted" : "rejected");
        else this.say("Pick a candidate first: j moves to the next one.");
        break;
      case "reopen": {
        const key = this.current && this.byKey.get(this.current)?.status !== "open" ? this.current : this.lastDecided;
        if (key) this.decide(key, "open");
        break;
      }
      case "gold":
        this.setMode("gold");
        break;
      case "candidates":
        this.setMode("candidates");
        break;
      case "help":
        this.ws.showDialog(this.ws.el.help);
        break;
    }
  }

  /**
   * Switch mode without moving keyboard focus (a selection in the text must survive).
   * @param {"candidates" | "gold"} mode
   */
  setModeQuietly(mode) {
    this.mode = mode;
    document.body.dataset.review = mode;
    this.el.mode.textContent =
      mode === "gold"
        ? "Editing gold spans, as annotators edit theirs. Escape (with no span focused) returns to the candidates."
        : "Reviewing candidates: j/k to walk them, Enter to accept, Delete to reject, g to edit gold.";
  }

  // ---------------------------------------------------------------- lease

  /** @param {boolean} takeover */
  async claimLease(takeover) {
    const result = await call(`${this.api}/documents/${this.documentId}/lease/`, { method: "POST", body: { takeover } });
    if (result.ok) {
      this.leaseHeld = true;
      this.lockedBy = "";
      if (result.json.warning) {
        this.el.lease.hidden = false;
        this.el.lease.textContent = result.json.warning;
      } else {
        this.el.lease.hidden = true;
      }
      clearTimeout(this.leaseTimer);
      this.leaseTimer = setTimeout(() => this.claimLease(false), LEASE_RENEW_MS);
    } else if (result.json.error.code === "lease_taken") {
      this.lostLease(result.json.error.message);
    } else {
      this.say(`Could not claim this document: ${result.json.error.message}`);
    }
    this.updateWritable();
    document.documentElement.dataset.lease = this.leaseHeld ? "held" : "taken";
  }

  /** @param {string} message */
  lostLease(message) {
    const first = this.leaseHeld;
    this.leaseHeld = false;
    this.lockedBy = message;
    clearTimeout(this.leaseTimer);
    this.el.lease.hidden = false;
    this.el.lease.replaceChildren(
      first ? `Another editor took this document over: ${message}` : message,
      " ",
      h("button", { type: "button", "data-takeover": "" }, ["Take over"]),
    );
    this.updateWritable();
    document.documentElement.dataset.lease = "taken";
  }

  // ---------------------------------------------------------------- merge, accept, send back

  showK() {
    const strategy = /** @type {HTMLSelectElement} */ (this.el.mergeForm.elements.namedItem("strategy")).value;
    const k = /** @type {HTMLElement} */ (this.el.mergeForm.querySelector(".k-field"));
    k.hidden = strategy !== "at_least_k";
  }

  async merge() {
    const form = this.el.mergeForm;
    const strategy = /** @type {HTMLSelectElement} */ (form.elements.namedItem("strategy")).value;
    const k = Number(/** @type {HTMLInputElement} */ (form.elements.namedItem("k")).value);
    const reset = /** @type {HTMLInputElement | null} */ (form.elements.namedItem("reset"))?.checked ?? false;
    await this.ws.outbox.flush();
    const result = await call(`${this.api}/documents/${this.documentId}/gold/merge/`, {
      method: "POST",
      body: { strategy, reset, ...(strategy === "at_least_k" ? { k } : {}) },
    });
    if (!result.ok) {
      this.refused(result);
      return;
    }
    // Gold changed wholesale: the page starts again from the server's state.
    location.reload();
  }

  askAccept() {
    const open = this.list.filter((c) => c.status === "open").length;
    const summary = /** @type {HTMLElement} */ (this.el.acceptDialog.querySelector("[data-summary]"));
    summary.textContent = open
      ? `${open} candidate${open === 1 ? " is" : "s are"} still undecided; accepting leaves ${open === 1 ? "it" : "them"} out of gold.`
      : "Every candidate is decided.";
    this.ws.showDialog(this.el.acceptDialog);
  }

  async accept() {
    const open = this.list.some((c) => c.status === "open");
    const result = await call(`${this.api}/documents/${this.documentId}/accept/`, { method: "POST", body: { force: open } });
    if (!result.ok) {
      this.refused(result);
      return;
    }
    this.leaseHeld = false;
    location.reload();
  }

  /** @param {string} annotator */
  askSendBack(annotator) {
    const dialog = this.el.sendBackDialog;
    dialog.dataset.annotator = annotator;
    /** @type {HTMLElement} */ (dialog.querySelector("[data-annotator]")).textContent = annotator;
    /** @type {HTMLTextAreaElement} */ (dialog.querySelector("textarea")).value = "";
    this.ws.showDialog(dialog);
  }

  /**
   * @param {string} annotator
   * @param {string} comment
   */
  async sendBack(annotator, comment) {
    const result = await call(`${this.api}/documents/${this.documentId}/send-back/`, { method: "POST", body: { annotator, comment } });
    if (!result.ok) {
      this.refused(result);
      return;
    }
    location.reload();
  }

  // ---------------------------------------------------------------- side panels

  renderToggles() {
    const boxes = this.review.compared.map((/** @type {string} */ name) =>
      h("label", {}, [Object.assign(h("input", { type: "checkbox", value: name }), { checked: !this.hidden.has(name) }), ` ${name}`]),
    );
    if (!boxes.length) boxes.push(h("span", { class: "sub" }, ["no submitted layer yet"]));
    this.el.toggles.replaceChildren(this.el.toggles.querySelector("legend") ?? "", ...boxes);
  }

  renderAnnotators() {
    const items = this.review.annotators.map((/** @type {any} */ a) => {
      const status = a.status.replace("_", " ");
      const children = [h("strong", {}, [a.username]), ` ${status}`];
      if (a.submitted_at) children.push(h("span", { class: "sub" }, [` · ${when(a.submitted_at)}`]));
      if (a.status === "changes_requested" && a.review_comment) children.push(h("p", { class: "sub", dir: "auto" }, [`Sent back: ${a.review_comment}`]));
      if (a.status === "submitted") {
        children.push(" ", h("button", { type: "button", "data-send-back": a.username, ...(this.canDecide() ? {} : { disabled: "" }) }, ["Send back…"]));
      }
      return h("li", { "data-annotator": a.username }, children);
    });
    this.el.annotators.replaceChildren(...items);
  }

  renderCommentTargets() {
    const select = /** @type {HTMLSelectElement} */ (this.el.commentForm.elements.namedItem("annotator"));
    for (const a of this.review.annotators) select.append(h("option", { value: a.username }, [a.username]));
  }

  async loadHistory() {
    const result = await call(`${this.api}/documents/${this.documentId}/history/?page_size=500`);
    if (!result.ok) return;
    const list = /** @type {HTMLElement} */ (this.el.history.querySelector("ol"));
    list.replaceChildren(
      ...result.json.results.map((/** @type {any} */ e) =>
        h("li", {}, [h("time", { datetime: e.created_at }, [when(e.created_at)]), ` ${e.actor ?? "system"} · ${e.action}`, e.after?.candidate ? ` ${e.after.candidate}` : ""]),
      ),
    );
  }

  async loadAgreement() {
    const result = await call(this.config.urls.agreement);
    if (!result.ok) {
      this.el.figures.replaceChildren(h("p", { class: "sub" }, ["Agreement is not available."]));
      return;
    }
    const metrics = result.json.metrics ?? {};
    const rows = FIGURES.map(([key, name]) => h("tr", {}, [h("th", { scope: "row" }, [name]), h("td", { class: "num" }, [formatFigure(metrics[key])])]));
    const labels = [...new Set(LABEL_FIGURES.flatMap(([key]) => Object.keys(metrics[key] ?? {})))].sort();
    const children = [h("table", { class: "figures" }, [h("tbody", {}, rows)])];
    if (labels.length) {
      children.push(
        h("table", { class: "figures by-label" }, [
          h("thead", {}, [h("tr", {}, [h("th", { scope: "col" }, ["Label"]), ...LABEL_FIGURES.map(([, name]) => h("th", { scope: "col" }, [name]))])]),
          h(
            "tbody",
            {},
            labels.map((label) => h("tr", {}, [h("th", { scope: "row" }, [label]), ...LABEL_FIGURES.map(([key]) => h("td", { class: "num" }, [formatFigure(metrics[key]?.[label])]))])),
          ),
        ]),
      );
    }
    if (result.json.pending) children.push(h("p", { class: "sub" }, ["Being recomputed: these figures may change."]));
    this.el.figures.replaceChildren(...children);
  }

  // ---------------------------------------------------------------- verdicts

  /** @param {any} span the focused gold span, or null */
  showVerdict(span) {
    const form = this.el.verdict;
    if (!span || span.label !== "claim" || !span.id) {
      form.hidden = true;
      delete form.dataset.span;
      return;
    }
    const fresh = form.dataset.span !== String(span.id);
    form.hidden = false;
    form.dataset.span = String(span.id);
    const verdict = this.verdicts.get(span.id);
    const field = (/** @type {string} */ name) => /** @type {HTMLInputElement} */ (form.elements.namedItem(name));
    const rating = /** @type {HTMLSelectElement} */ (form.elements.namedItem("rating"));
    if (rating.options.length === 0) {
      rating.append(h("option", { value: "" }, ["Choose…"]), ...this.config.project.rating_scale.map((/** @type {any} */ r) => h("option", { value: r.name }, [r.name])));
    }
    if (fresh) {
      rating.value = verdict?.rating ?? "";
      field("summary").value = verdict?.summary ?? "";
      field("explanation").value = verdict?.explanation ?? "";
      field("evidence_links").value = (verdict?.evidence_links ?? []).join("\n");
      field("fact_check_url").value = verdict?.fact_check_url ?? "";
      field("claimant").value = verdict?.claimant ?? "";
    }
    const disabled = !this.canDecide();
    for (const el of form.querySelectorAll("input, select, textarea, button")) /** @type {HTMLInputElement} */ (el).disabled = disabled;
    /** @type {HTMLElement} */ (form.querySelector("[data-delete-verdict]")).hidden = !verdict;
  }

  async saveVerdict() {
    const form = this.el.verdict;
    const spanId = Number(form.dataset.span);
    const value = (/** @type {string} */ name) => /** @type {HTMLInputElement} */ (form.elements.namedItem(name)).value;
    const existing = this.verdicts.get(spanId);
    const claimant = value("claimant").trim();
    const body = {
      rating: value("rating"),
      summary: value("summary"),
      explanation: value("explanation"),
      evidence_links: value("evidence_links").split("\n").map((s) => s.trim()).filter(Boolean),
      fact_check_url: value("fact_check_url").trim(),
      // Left empty on a new verdict, the server names the attribution's speaker.
      claimant: claimant || (existing ? "" : null),
    };
    const url = `${this.api}/spans/${spanId}/verdict/`;
    const result = existing ? await call(url, { method: "PATCH", body: { ...body, version: existing.version } }) : await call(url, { method: "POST", body });
    if (!result.ok) {
      this.refused(result);
      return;
    }
    this.verdicts.set(spanId, result.json);
    /** @type {HTMLInputElement} */ (form.elements.namedItem("claimant")).value = result.json.claimant;
    /** @type {HTMLElement} */ (form.querySelector("[data-delete-verdict]")).hidden = false;
    this.say(`Verdict saved: ${result.json.rating}${result.json.claimant ? `, claimed by ${result.json.claimant}` : ""}.`);
  }

  async deleteVerdict() {
    const spanId = Number(this.el.verdict.dataset.span);
    const existing = this.verdicts.get(spanId);
    if (!existing) return;
    const result = await call(`${this.api}/spans/${spanId}/verdict/?version=${existing.version}`, { method: "DELETE" });
    if (!result.ok) {
      this.refused(result);
      return;
    }
    this.verdicts.delete(spanId);
    delete this.el.verdict.dataset.span;
    this.showVerdict(this.ws.focused ? this.ws.spans.get(this.ws.focused) ?? null : null);
    this.say("Verdict removed.");
  }
}

const configEl = document.getElementById("review-config");
if (configEl?.textContent) {
  new ReviewPage(JSON.parse(configEl.textContent)).start();
}
