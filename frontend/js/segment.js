// @ts-check
/**
 * Word and grapheme boundaries for selections, from the browser's Intl.Segmenter.
 *
 * Everything here works on one paragraph's string with UTF-16 offsets, the unit the DOM
 * selection gives; offsets.js turns the result into the API's code points. Word rules come
 * from the Unicode/ICU data for the document's language, so Japanese (no spaces), Arabic
 * or Ukrainian snap as well as English, and no offset ever lands inside a grapheme
 * (an emoji ZWJ family, a letter with a combining mark, a Devanagari syllable).
 *
 * @module segment
 */

/** @type {Map<string, {word: Intl.Segmenter, grapheme: Intl.Segmenter}>} */
const cache = new Map();

/**
 * Segmenters for a locale, made once: constructing one loads ICU data.
 * @param {string | undefined} locale BCP 47 tag from the document's language, if known
 */
function segmenters(locale) {
  const key = locale || "";
  let s = cache.get(key);
  if (!s) {
    const tag = locale ? [locale] : undefined;
    s = {
      word: new Intl.Segmenter(tag, { granularity: "word" }),
      grapheme: new Intl.Segmenter(tag, { granularity: "grapheme" }),
    };
    cache.set(key, s);
  }
  return s;
}

/**
 * @typedef {object} SnapOptions
 * @property {boolean} [exact]  keep the characters selected (the Alt key) instead of whole words
 * @property {string} [locale]  the document's language
 */

const SPACE = /^\s+$/u;
const SPACE_OR_PUNCTUATION = /^[\s\p{P}]+$/u;

/**
 * Start of the grapheme that contains `offset` (the offset itself if it is a boundary).
 * @param {string} text
 * @param {number} offset
 * @param {string} [locale]
 * @returns {number}
 */
export function graphemeFloor(text, offset, locale) {
  if (offset <= 0) return 0;
  if (offset >= text.length) return text.length;
  const seg = segmenters(locale).grapheme.segment(text).containing(offset);
  return seg ? seg.index : offset;
}

/**
 * End of the grapheme that contains `offset - 1` (the offset itself if it is a boundary).
 * @param {string} text
 * @param {number} offset
 * @param {string} [locale]
 * @returns {number}
 */
export function graphemeCeil(text, offset, locale) {
  if (offset <= 0) return 0;
  if (offset >= text.length) return text.length;
  const seg = segmenters(locale).grapheme.segment(text).containing(offset - 1);
  return seg ? seg.index + seg.segment.length : offset;
}

/**
 * Where a selection that starts at `offset` should start: at the start of the word it
 * falls in (or of the grapheme, when exact), then past any leading space (and, for words,
 * punctuation). Returns text.length when nothing but space follows.
 * @param {string} text
 * @param {number} offset
 * @param {SnapOptions} [options]
 * @returns {number}
 */
export function snapStart(text, offset, options = {}) {
  const { exact = false, locale } = options;
  let start = graphemeFloor(text, offset, locale);
  if (!exact && start < text.length) {
    const seg = segmenters(locale).word.segment(text).containing(start);
    if (seg && seg.isWordLike) start = seg.index;
  }
  const trim = exact ? SPACE : SPACE_OR_PUNCTUATION;
  for (const g of segmenters(locale).grapheme.segment(text.slice(start))) {
    if (!trim.test(g.segment)) return start + g.index;
  }
  return text.length;
}

/**
 * Where a selection that ends at `offset` should end: at the end of the word it falls in
 * (or of the grapheme, when exact), then before any trailing space (and, for words,
 * punctuation). Returns 0 when nothing but space precedes.
 * @param {string} text
 * @param {number} offset
 * @param {SnapOptions} [options]
 * @returns {number}
 */
export function snapEnd(text, offset, options = {}) {
  const { exact = false, locale } = options;
  let end = graphemeCeil(text, offset, locale);
  if (!exact && end > 0) {
    const seg = segmenters(locale).word.segment(text).containing(end - 1);
    if (seg && seg.isWordLike) end = seg.index + seg.segment.length;
  }
  const trim = exact ? SPACE : SPACE_OR_PUNCTUATION;
  const graphemes = [...segmenters(locale).grapheme.segment(text.slice(0, end))];
  for (let i = graphemes.length - 1; i >= 0; i--) {
    if (!trim.test(graphemes[i].segment)) return graphemes[i].index + graphemes[i].segment.length;
  }
  return 0;
}

/**
 * Snap a selection from point `a` to point `b` (UTF-16 offsets in paragraphs, `a` first)
 * that may cross paragraphs. An edge that snaps past the end of its paragraph (only space
 * or punctuation left there) moves into the next paragraph the selection covers, and
 * likewise backwards for the end. Null when nothing worth a span was selected, and for a
 * caret (`a` equal to `b`), even one inside a word.
 * @param {{text: string}[]} paragraphs
 * @param {{paragraph: number, offset: number}} a
 * @param {{paragraph: number, offset: number}} b
 * @param {SnapOptions} [options]
 * @returns {{start: {paragraph: number, offset: number}, end: {paragraph: number, offset: number}} | null}
 */
export function snapSelection(paragraphs, a, b, options = {}) {
  if (a.paragraph === b.paragraph && a.offset === b.offset) return null;
  let sp = a.paragraph;
  let so = snapStart(paragraphs[sp].text, a.offset, options);
  while (so >= paragraphs[sp].text.length && sp < b.paragraph) {
    sp++;
    so = snapStart(paragraphs[sp].text, 0, options);
  }
  let ep = b.paragraph;
  let eo = snapEnd(paragraphs[ep].text, b.offset, options);
  while (eo <= 0 && ep > sp) {
    ep--;
    eo = snapEnd(paragraphs[ep].text, paragraphs[ep].text.length, options);
  }
  const before = sp < ep || (sp === ep && so < eo);
  return before ? { start: { paragraph: sp, offset: so }, end: { paragraph: ep, offset: eo } } : null;
}

/**
 * Word-like segments of a paragraph as [start, end) pairs in UTF-16 offsets.
 * @param {string} text
 * @param {string} [locale]
 * @returns {[number, number][]}
 */
export function words(text, locale) {
  /** @type {[number, number][]} */
  const out = [];
  for (const s of segmenters(locale).word.segment(text)) {
    if (s.isWordLike) out.push([s.index, s.index + s.segment.length]);
  }
  return out;
}

/**
 * The new position of a span's start moved by one word: -1 goes to the start of the word
 * before (the span grows), +1 to the start of the next word (it shrinks). Null when there
 * is no such word in this paragraph, so the caller can look in the neighbouring one.
 * @param {string} text
 * @param {number} offset
 * @param {-1 | 1} direction
 * @param {string} [locale]
 * @returns {number | null}
 */
export function moveStartByWord(text, offset, direction, locale) {
  const ws = words(text, locale);
  if (direction < 0) {
    for (let i = ws.length - 1; i >= 0; i--) if (ws[i][0] < offset) return ws[i][0];
  } else {
    for (const w of ws) if (w[0] > offset) return w[0];
  }
  return null;
}

/**
 * The new position of a span's end moved by one word: -1 goes to the end of the word
 * before (the span shrinks), +1 to the end of the next word (it grows). Null when there is
 * no such word in this paragraph.
 * @param {string} text
 * @param {number} offset
 * @param {-1 | 1} direction
 * @param {string} [locale]
 * @returns {number | null}
 */
export function moveEndByWord(text, offset, direction, locale) {
  const ws = words(text, locale);
  if (direction < 0) {
    for (let i = ws.length - 1; i >= 0; i--) if (ws[i][1] < offset) return ws[i][1];
  } else {
    for (const w of ws) if (w[1] > offset) return w[1];
  }
  return null;
}
