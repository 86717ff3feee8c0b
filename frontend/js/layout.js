// @ts-check
/**
 * Span layout for drawing with the CSS Custom Highlight API.
 *
 * For every span it keeps the per-paragraph pieces to draw (UTF-16 offsets into each
 * paragraph's text node, from offsets.js), a depth (the lowest lane no overlapping span
 * uses, so a nested or crossing span is drawn and hit-tested apart from the one around it)
 * and its place in document order (for j/k). Adding, moving or removing one span touches
 * only that span and a binary-searched neighbourhood, never the whole set: a 50,000-character
 * article with 1,000 spans must stay smooth while the annotator works.
 *
 * @module layout
 */

/**
 * @typedef {object} SpanLike
 * @property {string} key    stable identity on the page (the span's client_id)
 * @property {number} start  code-point offset, inclusive
 * @property {number} end    code-point offset, exclusive
 * @property {string} label
 */

/**
 * @typedef {object} Placed
 * @property {SpanLike} span
 * @property {{paragraph: number, start: number, end: number}[]} pieces
 * @property {number} depth
 */

/**
 * Document order: earlier start first; at the same start the longer (outer) span first,
 * so j walks from a claim into the attribution nested in it; the key breaks ties so the
 * order is total and stable.
 * @param {SpanLike} a
 * @param {SpanLike} b
 * @returns {number}
 */
export function compareSpans(a, b) {
  return a.start - b.start || b.end - a.end || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

export class SpanLayout {
  /** @param {import("./offsets.js").DocumentText} doc */
  constructor(doc) {
    this.doc = doc;
    /** @type {Map<string, Placed>} */
    this.placed = new Map();
    /** @type {SpanLike[]} spans in document order */
    this.order = [];
    // The longest span ever placed bounds how far back an overlap search must look. It is
    // not lowered on removal: a stale bound only costs a slightly longer scan.
    this.maxLength = 0;
  }

  get size() {
    return this.order.length;
  }

  /**
   * Index in `order` where a span would go (binary search).
   * @param {SpanLike} span
   * @returns {number}
   */
  indexFor(span) {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareSpans(this.order[mid], span) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Spans that share at least one character with [start, end), in document order.
   * @param {number} start
   * @param {number} end
   * @returns {SpanLike[]}
   */
  overlapping(start, end) {
    // Everything from here on starts at or after `end` and cannot overlap.
    const stop = this.indexFor({ key: "", start: end, end: Number.MAX_SAFE_INTEGER, label: "" });
    const out = [];
    for (let i = stop - 1; i >= 0; i--) {
      const s = this.order[i];
      if (s.start < start - this.maxLength) break;
      if (s.end > start) out.push(s);
    }
    return out.reverse();
  }

  /**
   * Spans containing the character at a code-point offset, innermost (shortest) first:
   * what a click on that character may select, in the order repeated clicks cycle through.
   * @param {number} cp
   * @returns {SpanLike[]}
   */
  at(cp) {
    return this.overlapping(cp, cp + 1).sort((a, b) => a.end - a.start - (b.end - b.start) || compareSpans(a, b));
  }

  /**
   * Place a new span and return what to draw for it.
   * @param {SpanLike} span
   * @returns {Placed}
   */
  add(span) {
    if (this.placed.has(span.key)) throw new Error(`span ${span.key} is already placed`);
    const used = new Set();
    for (const other of this.overlapping(span.start, span.end)) used.add(this.placed.get(other.key)?.depth);
    let depth = 0;
    while (used.has(depth)) depth++;
    const placed = { span, pieces: this.doc.pieces(span.start, span.end), depth };
    this.placed.set(span.key, placed);
    this.order.splice(this.indexFor(span), 0, span);
    this.maxLength = Math.max(this.maxLength, span.end - span.start);
    return placed;
  }

  /**
   * Take a span out; returns what was drawn for it so the caller can erase exactly that.
   * @param {string} key
   * @returns {Placed | undefined}
   */
  remove(key) {
    const placed = this.placed.get(key);
    if (!placed) return undefined;
    const i = this.indexFor(placed.span);
    if (this.order[i] !== placed.span) throw new Error(`span ${key} is out of order; it was changed without update()`);
    this.order.splice(i, 1);
    this.placed.delete(key);
    return placed;
  }

  /**
   * Replace a span (new offsets or label): the old drawing and the new one.
   * @param {SpanLike} span
   * @returns {{before: Placed | undefined, after: Placed}}
   */
  update(span) {
    const before = this.remove(span.key);
    return { before, after: this.add(span) };
  }

  /**
   * @param {string} key
   * @returns {Placed | undefined}
   */
  get(key) {
    return this.placed.get(key);
  }

  /**
   * The span after `key` in document order (the first one when key is null); null at the end.
   * @param {string | null} key
   * @returns {SpanLike | null}
   */
  next(key) {
    if (key === null || !this.placed.has(key)) return this.order[0] ?? null;
    const i = this.indexFor(/** @type {Placed} */ (this.placed.get(key)).span);
    return this.order[i + 1] ?? null;
  }

  /**
   * The span before `key` in document order (the last one when key is null); null at the start.
   * @param {string | null} key
   * @returns {SpanLike | null}
   */
  prev(key) {
    if (key === null || !this.placed.has(key)) return this.order[this.order.length - 1] ?? null;
    const i = this.indexFor(/** @type {Placed} */ (this.placed.get(key)).span);
    return i > 0 ? this.order[i - 1] : null;
  }
}
