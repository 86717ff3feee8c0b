// @ts-check
/**
 * A document's comment thread between editors and annotators, on the compare page and on
 * the annotate page. The API decides what each reader sees: editors the whole thread, an
 * annotator the comments about their own assignment.
 *
 * @module thread
 */

import { call, h, when } from "./dom.js";

export class Thread {
  /**
   * @param {{list: HTMLElement, form: HTMLFormElement, url: string, say: (text: string) => void}} options
   *   the form has a `body` textarea and, for editors, an `annotator` select (whose thread)
   */
  constructor({ list, form, url, say }) {
    this.list = list;
    this.form = form;
    this.url = url;
    this.say = say;
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.post();
    });
  }

  async load() {
    const result = await call(`${this.url}?page_size=500`);
    if (!result.ok) return;
    this.list.replaceChildren(...result.json.results.map((/** @type {any} */ c) => this.item(c)));
    this.list.dataset.loaded = "true";
  }

  /**
   * Whom a comment speaks to: an annotator's thread holds the editors' words to them and
   * theirs to the editors; a comment outside any thread is a note among editors.
   * @param {{author: string, annotator: string | null}} c
   */
  static audience(c) {
    if (c.annotator === null) return "to the editors";
    return c.author === c.annotator ? "to the editors" : `to ${c.annotator}`;
  }

  /** @param {any} c */
  item(c) {
    return h("li", {}, [
      h("strong", {}, [c.author]),
      h("span", { class: "sub" }, [` ${Thread.audience(c)} · ${when(c.created_at)}`]),
      h("p", { dir: "auto" }, [c.body]),
    ]);
  }

  async post() {
    const body = /** @type {HTMLTextAreaElement} */ (this.form.elements.namedItem("body"));
    const annotator = /** @type {HTMLSelectElement | null} */ (this.form.elements.namedItem("annotator"))?.value;
    const result = await call(this.url, { method: "POST", body: { body: body.value, ...(annotator ? { annotator } : {}) } });
    if (!result.ok) {
      this.say(`Comment not posted: ${result.json.error.message}`);
      return;
    }
    this.list.append(this.item(result.json));
    body.value = "";
    this.say("Comment posted.");
  }
}

// The annotate page has a thread of its own; the compare page starts its one itself.
const section = document.getElementById("comment-thread");
if (section?.dataset.url) {
  const message = document.getElementById("message");
  new Thread({
    list: /** @type {HTMLElement} */ (section.querySelector("ol")),
    form: /** @type {HTMLFormElement} */ (section.querySelector("form")),
    url: section.dataset.url,
    say: (text) => {
      if (message) message.textContent = text;
    },
  }).load();
}
