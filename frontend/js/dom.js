// @ts-check
/**
 * The small helpers every page script needs, in one place: finding and building elements,
 * showing times, and calling the API.
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

/**
 * Scroll the window so a drawn range shows, a third of the way down, unless it already
 * shows whole.
 * @param {AbstractRange} drawn
 */
export function scrollToRange(drawn) {
  const range = document.createRange();
  range.setStart(drawn.startContainer, drawn.startOffset);
  range.setEnd(drawn.endContainer, drawn.endOffset);
  const rect = range.getBoundingClientRect();
  if (rect.top < 0 || rect.bottom > innerHeight) scrollBy({ top: rect.top - innerHeight / 3 });
}

/**
 * A server time for people, in UTC as the server keeps it: "5 Mar, 14:07 UTC".
 * @param {string} iso
 * @returns {string}
 */
export function when(iso) {
  return `${new Date(iso).toLocaleString("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "UTC" })} UTC`;
}

/** @returns {string} Django's CSRF token, for the X-CSRFToken header of a write */
export function csrfToken() {
  const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

/**
 * A JSON request to the API with the session cookie and the CSRF token. It never throws,
 * and a failed call always carries the one error shape ({error: {code, message}}): an
 * unreachable server, or an answer without a message (a proxy's 502), gets a message a
 * person can act on, so every caller can show `json.error.message` as it is.
 * @param {string} url
 * @param {{method?: string, body?: any}} [init]
 * @returns {Promise<{ok: boolean, status: number, json: any}>}
 */
export async function call(url, { method = "GET", body } = {}) {
  /** @type {RequestInit} */
  const init = {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: body === undefined ? undefined : JSON.stringify(body),
  };
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    return { ok: false, status: 0, json: { error: { code: "offline", message: "The server could not be reached; nothing was changed. Try again." } } };
  }
  const json = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok && typeof json?.error?.message !== "string") {
    const message = `The server answered HTTP ${response.status} without saying why; try again in a minute, and tell an admin if it keeps failing.`;
    return { ok: false, status: response.status, json: { error: { code: "http_error", message } } };
  }
  return { ok: response.ok, status: response.status, json };
}
