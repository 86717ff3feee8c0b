import { test } from "node:test";
import assert from "node:assert/strict";

import {
  graphemeCeil,
  graphemeFloor,
  moveEndByWord,
  moveStartByWord,
  snapEnd,
  snapSelection,
  snapStart,
  words,
} from "../js/segment.js";

/** Snap a selection inside one paragraph, as offsets in it; null for a caret or nothing. */
function snapRange(text, start, end, options = {}) {
  const r = snapSelection([{ text }], { paragraph: 0, offset: Math.min(start, end) }, { paragraph: 0, offset: Math.max(start, end) }, options);
  return r && { start: r.start.offset, end: r.end.offset };
}

/** The selected substring after snapping, or null. */
function snapped(text, start, end, options) {
  const r = snapRange(text, start, end, options);
  return r && text.slice(r.start, r.end);
}

test("a selection inside words grows to whole words", () => {
  const text = "A CIA spokeswoman called the allegations unfounded.";
  const s = text.indexOf("okes");
  const e = text.indexOf("lled") + 2;
  assert.equal(snapped(text, s, e), "spokeswoman called");
});

test("whitespace and punctuation at the edges are trimmed in word mode", () => {
  const text = "She said: \u201cunfounded.\u201d Then left.";
  const s = text.indexOf(":");
  const e = text.indexOf("Then") - 1;
  assert.equal(snapped(text, s, e), "unfounded");
});

test("exact mode keeps the characters selected but never splits a grapheme", () => {
  const text = "Family 👩‍👩‍👧 photo";
  const family = text.indexOf("👩");
  // Start in the middle of the ZWJ sequence (after the first woman), end inside "photo".
  const r = snapRange(text, family + 3, text.indexOf("photo") + 2, { exact: true });
  assert.equal(text.slice(r.start, r.end), "👩‍👩‍👧 ph");
  // The same selection without Alt takes whole words and the emoji cluster.
  assert.equal(snapped(text, family + 3, text.indexOf("photo") + 2), "👩‍👩‍👧 photo");
});

test("a combining mark stays with its base letter, Devanagari vowel signs with their consonant", () => {
  const text = "Spın̈al हिन्दी";
  const n = text.indexOf("n̈");
  assert.equal(graphemeFloor(text, n + 1), n);
  assert.equal(graphemeCeil(text, n + 1), n + 2);
  const hi = text.indexOf("हि");
  // Inside the syllable "हि" (consonant + vowel sign), exact mode rounds out to it.
  assert.equal(snapped(text, hi + 1, hi + 1 + 0, { exact: true }), null);
  const r = snapRange(text, hi + 1, hi + 2, { exact: true });
  assert.equal(text.slice(r.start, r.end), "हि");
});

test("an emoji surrogate pair is never cut in half", () => {
  const text = "news 😀 now";
  const e = text.indexOf("😀");
  assert.equal(graphemeFloor(text, e + 1), e);
  assert.equal(graphemeCeil(text, e + 1), e + 2);
  assert.equal(snapped(text, e + 1, e + 1 + 1, { exact: true }), "😀");
});

test("non-breaking spaces are space: trimmed at the edges, kept inside", () => {
  const text = "said\u00a0Liz\u00a0Lyons\u00a0today";
  const s = text.indexOf("Liz") - 1;
  const e = text.indexOf("today");
  assert.equal(snapped(text, s, e), "Liz\u00a0Lyons");
});

test("Arabic words snap on the logical string whatever the display direction", () => {
  const text = "قال المتحدث إن الاتهامات لا أساس لها.";
  const w = text.indexOf("الاتهامات");
  assert.equal(snapped(text, w + 2, w + 4), "الاتهامات");
  assert.equal(snapped(text, w + 2, text.length), "الاتهامات لا أساس لها");
});

test("Japanese snaps to dictionary words without spaces when the locale is ja", () => {
  const text = "東京都に住んでいます。";
  assert.equal(snapped(text, 1, 1 + 0), null);
  assert.equal(snapped(text, 0, 1, { locale: "ja" }), "東京");
  assert.equal(snapped(text, 4, 6, { locale: "ja" }), "住んで");
  assert.equal(snapped(text, 0, text.length, { locale: "ja" }), "東京都に住んでいます");
});

test("selecting only space or punctuation gives nothing", () => {
  assert.equal(snapped("a , b", 1, 4), null);
  assert.equal(snapped("a   b", 1, 4, { exact: true }), null);
  assert.equal(snapStart("abc   ", 3), 6);
  assert.equal(snapEnd("   abc", 3), 0);
  assert.equal(snapped("", 0, 0), null);
});

test("a reversed selection (dragged right to left) snaps the same", () => {
  const text = "the allegations unfounded";
  assert.equal(snapped(text, 20, 6), snapped(text, 6, 20));
});

test("words lists word-like segments only", () => {
  assert.deepEqual(words("Hi, you."), [
    [0, 2],
    [4, 7],
  ]);
});

test("moving a start or end by one word follows word boundaries and says when the paragraph ends", () => {
  const text = "the CIA spokeswoman denied it";
  const spoke = text.indexOf("spokeswoman");
  const cia = text.indexOf("CIA");
  assert.equal(moveStartByWord(text, spoke, -1), cia);
  assert.equal(moveStartByWord(text, cia, 1), spoke);
  assert.equal(moveStartByWord(text, 0, -1), null);
  const endSpoke = spoke + "spokeswoman".length;
  assert.equal(moveEndByWord(text, endSpoke, 1), text.indexOf(" it"));
  assert.equal(moveEndByWord(text, endSpoke, -1), cia + 3);
  assert.equal(moveEndByWord(text, text.length, 1), null);
});

test("moving by a word in Japanese uses the dictionary segmentation", () => {
  const text = "東京都に住んでいます。";
  assert.equal(moveEndByWord(text, 2, 1, "ja"), 3);
  assert.equal(moveStartByWord(text, 3, -1, "ja"), 2);
});

test("Ukrainian words snap whole, apostrophe included", () => {
  const text = "Речниця МЗС заявила, що м\u2019ясо безпечне.";
  const w = text.indexOf("м\u2019ясо");
  assert.equal(snapped(text, w + 3, w + 4, { locale: "uk" }), "м\u2019ясо");
  const s = text.indexOf("заявила");
  assert.equal(snapped(text, s + 2, text.length, { locale: "uk" }), "заявила, що м\u2019ясо безпечне");
});

test("a selection across paragraphs skips an edge that holds only space or punctuation", () => {
  const paragraphs = [{ text: "The mayor said:" }, { text: "" }, { text: "the water is safe." }];
  // From after the colon, over the empty paragraph, to inside "water".
  const r = snapSelection(paragraphs, { paragraph: 0, offset: 15 }, { paragraph: 2, offset: 6 });
  assert.deepEqual(r, { start: { paragraph: 2, offset: 0 }, end: { paragraph: 2, offset: 9 } });
  // From inside "mayor" to the very start of the third paragraph: the end moves back.
  const back = snapSelection(paragraphs, { paragraph: 0, offset: 6 }, { paragraph: 2, offset: 0 });
  assert.deepEqual(back, { start: { paragraph: 0, offset: 4 }, end: { paragraph: 0, offset: 14 } });
  // Nothing but punctuation and empty paragraphs: no span.
  assert.equal(snapSelection(paragraphs, { paragraph: 0, offset: 14 }, { paragraph: 2, offset: 0 }), null);
});
