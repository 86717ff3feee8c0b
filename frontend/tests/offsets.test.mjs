import { test } from "node:test";
import assert from "node:assert/strict";

import {
  DocumentText,
  codePointLength,
  codePointToUtf16,
  utf16ToCodePoint,
} from "../js/offsets.js";

// Each fixture is a document the way the API stores it (NFC, "\n" line endings). The
// reference for "code point" is Array.from, which iterates by code point like Python does.
const FIXTURES = {
  emoji: "Breaking 😀 news: the CIA 😀😀 denied it.",
  zwj: "Family 👩‍👩‍👧 photo; flag 🏳️‍🌈 and skin 👍🏽 tone.",
  combining: "Spın̈al Tap; हिन्दी किताब; e\u0301 stays decomposed.",
  nbsp: "Liz\u00a0Lyons said\u202fthe claims were\u00a0unfounded.",
  arabic: "قال المتحدث إن الاتهامات لا أساس لها.\nوأضاف أن التحقيق مستمر.",
  japanese: "東京都に住んでいます。\n𠮷野家は牛丼の店です。",
  empty: "\n\nFirst real paragraph 😀.\n\n\nLast one.\n",
  crlfFree: "a\nb\n\nc",
};

/** @param {string} text */
function referenceParagraphs(text) {
  const cps = Array.from(text);
  const out = [];
  let start = 0;
  for (let i = 0; i <= cps.length; i++) {
    if (i === cps.length || cps[i] === "\n") {
      out.push({ start, end: i, text: cps.slice(start, i).join("") });
      start = i + 1;
    }
  }
  return out;
}

test("codePointLength counts surrogate pairs once and everything else per code unit", () => {
  assert.equal(codePointLength(""), 0);
  assert.equal(codePointLength("😀"), 1);
  assert.equal(codePointLength("👩‍👩‍👧"), 5); // three people and two zero-width joiners
  assert.equal(codePointLength("n̈"), 2); // no precomposed form, NFC keeps both
  assert.equal(codePointLength("कि"), 2); // consonant + vowel sign
  assert.equal(codePointLength("\u00a0"), 1);
  assert.equal(codePointLength("\ud800x"), 2); // a lone surrogate is one code point
  for (const text of Object.values(FIXTURES)) {
    assert.equal(codePointLength(text), Array.from(text).length);
  }
});

test("utf16 and code-point offsets round-trip at every code-point boundary", () => {
  for (const [name, text] of Object.entries(FIXTURES)) {
    let utf16 = 0;
    const cps = Array.from(text);
    for (let cp = 0; cp <= cps.length; cp++) {
      assert.equal(codePointToUtf16(text, cp), utf16, `${name} cp ${cp}`);
      assert.equal(utf16ToCodePoint(text, utf16), cp, `${name} utf16 ${utf16}`);
      if (cp < cps.length) utf16 += cps[cp].length;
    }
  }
});

test("a UTF-16 offset inside a surrogate pair rounds down to the pair's start", () => {
  const text = "a😀b";
  assert.equal(utf16ToCodePoint(text, 2), 1);
  assert.equal(utf16ToCodePoint(text, 3), 2);
});

test("offsets outside the text are refused, not clamped", () => {
  assert.throws(() => utf16ToCodePoint("abc", 4), RangeError);
  assert.throws(() => utf16ToCodePoint("abc", -1), RangeError);
  assert.throws(() => codePointToUtf16("😀", 2), RangeError);
  assert.throws(() => codePointToUtf16("abc", -1), RangeError);
  const doc = new DocumentText("ab\ncd");
  assert.throws(() => doc.toLocal(6), RangeError);
  assert.throws(() => doc.toGlobal(2, 0), RangeError);
  assert.throws(() => doc.toGlobal(0, 3), RangeError);
  assert.throws(() => doc.slice(3, 2), RangeError);
});

test("paragraphs split on newline and know their code-point extent, empty ones included", () => {
  for (const [name, text] of Object.entries(FIXTURES)) {
    const doc = new DocumentText(text);
    const ref = referenceParagraphs(text);
    assert.equal(doc.paragraphs.length, ref.length, name);
    assert.equal(doc.length, Array.from(text).length, name);
    doc.paragraphs.forEach((p, i) => {
      assert.equal(p.text, ref[i].text, `${name} paragraph ${i}`);
      assert.equal(p.start, ref[i].start, `${name} paragraph ${i} start`);
      assert.equal(p.end, ref[i].end, `${name} paragraph ${i} end`);
    });
  }
  const doc = new DocumentText(FIXTURES.empty);
  assert.deepEqual(
    doc.paragraphs.map((p) => p.text),
    ["", "", "First real paragraph 😀.", "", "", "Last one.", ""],
  );
});

test("toGlobal and toLocal agree with the reference at every point of every paragraph", () => {
  for (const [name, text] of Object.entries(FIXTURES)) {
    const doc = new DocumentText(text);
    for (const p of doc.paragraphs) {
      const cps = Array.from(p.text);
      let utf16 = 0;
      for (let k = 0; k <= cps.length; k++) {
        const global = p.start + k;
        assert.equal(doc.toGlobal(p.index, utf16), global, `${name} p${p.index} k${k}`);
        const local = doc.toLocal(global);
        assert.deepEqual(local, { paragraph: p.index, offset: utf16 }, `${name} global ${global}`);
        if (k < cps.length) utf16 += cps[k].length;
      }
    }
  }
});

test("the offset of a newline is the end of its paragraph, or the next paragraph's start for a span start", () => {
  const doc = new DocumentText("ab😀\ncd");
  assert.deepEqual(doc.toLocal(3), { paragraph: 0, offset: 4 });
  assert.deepEqual(doc.toLocal(3, true), { paragraph: 1, offset: 0 });
  assert.deepEqual(doc.toLocal(4), { paragraph: 1, offset: 0 });
  const last = new DocumentText("ab\n");
  assert.deepEqual(last.toLocal(3, true), { paragraph: 1, offset: 0 });
});

test("slice by code points matches Python-style slicing, across paragraphs too", () => {
  for (const [name, text] of Object.entries(FIXTURES)) {
    const doc = new DocumentText(text);
    const cps = Array.from(text);
    for (let start = 0; start <= cps.length; start += 3) {
      for (let end = start; end <= cps.length; end += 5) {
        assert.equal(doc.slice(start, end), cps.slice(start, end).join(""), `${name} ${start}..${end}`);
      }
    }
  }
});

test("the CIA example: a phrase after emoji, ZWJ and combining marks has the code-point offsets Python gives", () => {
  const text = "Demo 😀 👩‍👩‍👧 Spın̈al हिन्दी.\nA CIA spokeswoman called the allegations \u201cunfounded\u201d.";
  const doc = new DocumentText(text);
  const p = doc.paragraphs[1];
  const utf16Start = p.text.indexOf("unfounded");
  const start = doc.toGlobal(1, utf16Start);
  const end = doc.toGlobal(1, utf16Start + "unfounded".length);
  // Python: text.index("unfounded") counts code points.
  const pythonIndex = Array.from(text).join("").length - Array.from(text.slice(text.indexOf("unfounded"))).length;
  assert.equal(start, Array.from(text.slice(0, text.indexOf("unfounded"))).length);
  assert.equal(end - start, 9);
  assert.equal(doc.slice(start, end), "unfounded");
  assert.ok(pythonIndex > 0);
});

test("pieces split a range per paragraph in UTF-16 offsets and skip empty touches", () => {
  const doc = new DocumentText("a😀b\n\ncd😀e");
  // Whole first paragraph through "cd" of the third.
  assert.deepEqual(doc.pieces(0, 7), [
    { paragraph: 0, start: 0, end: 4 },
    { paragraph: 2, start: 0, end: 2 },
  ]);
  // A range starting at the first paragraph's newline does not draw in that paragraph.
  assert.deepEqual(doc.pieces(3, 8), [{ paragraph: 2, start: 0, end: 4 }]);
  assert.deepEqual(doc.pieces(7, 9), [{ paragraph: 2, start: 2, end: 5 }]);
});
