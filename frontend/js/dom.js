// @ts-check
/**
 * The small DOM helpers every page script needs, in one place.
 *
 * @module dom
 */

/**
 * @param {string} selector
 * @returns {HTMLElement}
 */
export function $(selector) {
  const el = document.querySelector(selector);
  if (!(el instanceof HTMLElement)) throw new Error(`the page has no ${selector}`);
  return el;
}

/**
 * Elements from data, never from HTML strings: strings become text nodes, so article
 * text, quotes and comments (user text) are never parsed as HTML.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string>} [attrs]
 * @param {(Node | string)[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, children = []) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

/**
 * The text cut to `max` code points, with an ellipsis when cut.
 * @param {string} text
 * @param {number} max
 * @returns {string}
 */
export function shorten(text, max) {
  const cps = Array.from(text);
  return cps.length <= max ? text : `${cps.slice(0, max - 1).join("")}…`;
}

/** @returns {string} Django's CSRF token, for the X-CSRFToken header of a write */
export function csrfToken() {
  const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}
