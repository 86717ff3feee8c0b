// @ts-check
/**
 * The one place where browser offsets and API offsets meet.
 *
 * The API (DESIGN.md, "Offsets: one rule everywhere") counts Unicode code points over the
 * whole document text, end exclusive. The page renders every paragraph (the text split on
 * "\n") as one text node, and the DOM counts UTF-16 code units inside that node. Every
 * other module works in one of the two systems and calls this module to cross over, so an
 * astral character (emoji, some CJK) can never shift a highlight by one.
 *
 * @module offsets
 */

/**
 * @typedef {object} Paragraph
 * @property {number} index     position of the paragraph in the document
 * @property {string} text      the paragraph's text, without its "\n"
 * @property {number} start     code-point offset of its first character in the document
 * @property {number} end       code-point offset just past its last character (where its "\n" is)
 * @property {boolean} bmpOnly  true when it has no surrogate pairs, so UTF-16 and code points agree
 */

/**
 * @typedef {object} LocalPoint
 * @property {number} paragraph  paragraph index
 * @property {number} offset     UTF-16 offset inside that paragraph's text node
 */

/**
 * Number of code points in a string (what Python's len() returns).
 * @param {string} text
 * @returns {number}
 */
export function codePointLength(text) {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is a single code point; a lone surrogate
    // counts as one, as it does for Python.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/**
 * UTF-16 offset -> code-point offset within one string.
 * An offset that falls between the two halves of a surrogate pair is rounded down to the
 * start of the pair, because a code point cannot be split.
 * @param {string} text
 * @param {number} utf16
 * @returns {number}
 */
export function utf16ToCodePoint(text, utf16) {
  if (utf16 < 0 || utf16 > text.length) {
    throw new RangeError(`UTF-16 offset ${utf16} is outside 0..${text.length}`);
  }
  let cp = 0;
  let i = 0;
  while (i < utf16) {
    const c = text.charCodeAt(i);
    const pair =
      c >= 0xd800 && c <= 0xdbff && i + 1 < text.length &&
      text.charCodeAt(i + 1) >= 0xdc00 && text.charCodeAt(i + 1) <= 0xdfff;
    if (pair && i + 1 === utf16) break;
    i += pair ? 2 : 1;
    cp++;
  }
  return cp;
}

/**
 * Code-point offset -> UTF-16 offset within one string.
 * @param {string} text
 * @param {number} cp
 * @returns {number}
 */
export function codePointToUtf16(text, cp) {
  if (cp < 0) throw new RangeError(`code-point offset ${cp} is negative`);
  let i = 0;
  for (let n = 0; n < cp; n++) {
    if (i >= text.length) {
      throw new RangeError(`code-point offset ${cp} is past the end of the text`);
    }
    const c = text.charCodeAt(i);
    const pair =
      c >= 0xd800 && c <= 0xdbff && i + 1 < text.length &&
      text.charCodeAt(i + 1) >= 0xdc00 && text.charCodeAt(i + 1) <= 0xdfff;
    i += pair ? 2 : 1;
  }
  return i;
}

/**
 * The document text split into paragraphs, with the bookkeeping to move between
 * (paragraph, UTF-16 offset) and global code-point offsets in O(log paragraphs + paragraph length).
 */
export class DocumentText {
  /** @param {string} text the document text exactly as the API returned it */
  constructor(text) {
    this.text = text;
    /** @type {Paragraph[]} */
    this.paragraphs = [];
    let start = 0;
    const parts = text.split("\n");
    for (let index = 0; index < parts.length; index++) {
      const part = parts[index];
      const length = codePointLength(part);
      this.paragraphs.push({
        index,
        text: part,
        start,
        end: start + length,
        bmpOnly: length === part.length,
      });
      // The "\n" between paragraphs is one code point of the document that no text node shows.
      start += length + 1;
    }
    /** Length of the whole text in code points. */
    this.length = start - 1;
  }

  /**
   * Global code-point offset of a point inside a paragraph's text node.
   * @param {number} paragraph
   * @param {number} utf16
   * @returns {number}
   */
  toGlobal(paragraph, utf16) {
    const p = this.paragraphs[paragraph];
    if (!p) throw new RangeError(`no paragraph ${paragraph}`);
    return p.start + (p.bmpOnly ? checked(utf16, p.text.length) : utf16ToCodePoint(p.text, utf16));
  }

  /**
   * Paragraph and UTF-16 offset of a global code-point offset.
   * The offset of a "\n" belongs to the end of the paragraph before it, so a span that ends
   * at a paragraph's end is drawn up to that paragraph's last character. With `preferNext`
   * it goes to the start of the next paragraph instead, which is what a span start wants.
   * @param {number} cp
   * @param {boolean} [preferNext]
   * @returns {LocalPoint}
   */
  toLocal(cp, preferNext = false) {
    if (cp < 0 || cp > this.length) {
      throw new RangeError(`code-point offset ${cp} is outside 0..${this.length}`);
    }
    const i = this.paragraphIndexAt(cp);
    if (preferNext && cp === this.paragraphs[i].end && i + 1 < this.paragraphs.length) {
      // The offset is the "\n" itself; the next character shown is the next paragraph's first.
      return { paragraph: i + 1, offset: 0 };
    }
    const p = this.paragraphs[i];
    const local = cp - p.start;
    return { paragraph: i, offset: p.bmpOnly ? local : codePointToUtf16(p.text, local) };
  }

  /**
   * Index of the paragraph whose [start, end] contains the code-point offset.
   * @param {number} cp
   * @returns {number}
   */
  paragraphIndexAt(cp) {
    let lo = 0;
    let hi = this.paragraphs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.paragraphs[mid].start <= cp) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * Text between two global code-point offsets (what the API calls the quote).
   * @param {number} start
   * @param {number} end
   * @returns {string}
   */
  slice(start, end) {
    if (start < 0 || end > this.length || start > end) {
      throw new RangeError(`cannot slice ${start}..${end} of a text of ${this.length} code points`);
    }
    const a = this.toLocal(start);
    const b = this.toLocal(end);
    if (a.paragraph === b.paragraph) {
      return this.paragraphs[a.paragraph].text.slice(a.offset, b.offset);
    }
    const parts = [this.paragraphs[a.paragraph].text.slice(a.offset)];
    for (let i = a.paragraph + 1; i < b.paragraph; i++) parts.push(this.paragraphs[i].text);
    parts.push(this.paragraphs[b.paragraph].text.slice(0, b.offset));
    return parts.join("\n");
  }

  /**
   * The per-paragraph pieces a global range covers, in UTF-16 offsets, for drawing.
   * Empty pieces (a range that only touches a paragraph's edge) are left out.
   * @param {number} start
   * @param {number} end
   * @returns {{paragraph: number, start: number, end: number}[]}
   */
  pieces(start, end) {
    const a = this.toLocal(start, true);
    const b = this.toLocal(end);
    const out = [];
    for (let i = a.paragraph; i <= b.paragraph; i++) {
      const s = i === a.paragraph ? a.offset : 0;
      const e = i === b.paragraph ? b.offset : this.paragraphs[i].text.length;
      if (e > s) out.push({ paragraph: i, start: s, end: e });
    }
    return out;
  }
}

/**
 * @param {number} utf16
 * @param {number} length
 * @returns {number}
 */
function checked(utf16, length) {
  if (utf16 < 0 || utf16 > length) {
    throw new RangeError(`UTF-16 offset ${utf16} is outside 0..${length}`);
  }
  return utf16;
}
