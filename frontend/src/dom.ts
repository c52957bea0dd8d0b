/** A few DOM helpers: the app builds elements, never HTML strings. */
import DOMPurify from "dompurify";

type Child = Node | string | null | undefined | false;
type Children = Child | Children[];
type Attributes = Record<string, string | number | boolean | null | undefined | EventListener>;

/** `h("a", {href: "#/"}, "Home")`: an element with attributes, listeners
 * (`onclick`) and children; `false`/`null` attributes and children are skipped. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Children[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") {
      element.addEventListener(name.replace(/^on/, ""), value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element: Element, children: Children[]): void {
  for (const child of children) {
    if (Array.isArray(child)) append(element, child);
    else if (child !== null && child !== undefined && child !== false) element.append(child);
  }
}

/**
 * Rich text from the API (Wagtail's HTML), sanitised before it reaches the
 * page: the API is another origin, and DOMPurify is the well-kept way to keep
 * its HTML from running script here.
 */
export function richText(html: string, className = "rich-text"): HTMLDivElement {
  const element = h("div", { class: className });
  element.append(DOMPurify.sanitize(html, { RETURN_DOM_FRAGMENT: true }));
  for (const link of element.querySelectorAll("a[href^='http']")) {
    link.setAttribute("rel", "noopener noreferrer");
  }
  return element;
}

/** Say something to screen-reader users without moving their focus. */
export function announce(message: string): void {
  const region = document.getElementById("status");
  if (region) {
    region.textContent = "";
    // A fresh text node makes repeated messages be read again.
    window.setTimeout(() => (region.textContent = message), 50);
  }
}

// A moment to the minute names its time zone (the reader's own): the club's pages
// say theirs ("19:00 BST"), and a reader must not take one hour for the other.
// dateStyle cannot be combined with timeZoneName, hence the parts one by one.
const dateTime = new Intl.DateTimeFormat(undefined, {
  weekday: "long",
  day: "numeric",
  month: "long",
  year: "numeric",
  hour: "numeric",
  minute: "2-digit",
  timeZoneName: "short",
});
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

export function time(iso: string, withTime = true): HTMLTimeElement {
  return h("time", { datetime: iso }, (withTime ? dateTime : dateOnly).format(new Date(iso)));
}

export function stars(rating: number | null | undefined): HTMLElement | null {
  if (rating === null || rating === undefined) return null;
  return h("span", { class: "rating" }, `Rated ${rating} out of 5`);
}
