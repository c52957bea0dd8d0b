/** Rendering StreamField blocks, and spoilers that open through the API. */
import type { BookRef, ContentBlock, ReviewBlock, SpoilerValue } from "../api/types";
import { mediaUrl } from "../api/client";
import { h, richText } from "../dom";
import type { Reached } from "../reader";

export interface RevealRequest {
  book: BookRef;
  reached: Reached;
  /** The element to focus once the page shows the answer. */
  focusId: string;
}

export type OnReveal = (request: RevealRequest) => void;

/** Why an open spoiler is open: the reader read that far, or asked for every one. */
export type OpenBecause = "read" | "asked";

function scope(book: BookRef, chapter: number | null): (Node | string)[] {
  return chapter === null
    ? ["Reveals ", h("cite", {}, book.title), ", the ending included."]
    : ["Reveals ", h("cite", {}, book.title), ` up to chapter ${chapter}.`];
}

function contentBlock(block: ContentBlock | Exclude<ReviewBlock, { type: "spoiler" }>, headingLevel: "h2" | "h3"): Node | null {
  switch (block.type) {
    case "paragraph":
      return richText(block.value);
    case "heading":
      return h(headingLevel, {}, block.value);
    case "quote":
      return h(
        "figure",
        { class: "quote" },
        h("blockquote", {}, h("p", {}, block.value.text)),
        block.value.attribution ? h("figcaption", {}, block.value.attribution) : null,
      );
    case "image": {
      const image = block.value.image;
      if (!image) return null;
      return h(
        "figure",
        { class: "image" },
        h("img", { src: mediaUrl(image.url), alt: image.alt, width: image.width, height: image.height, loading: "lazy" }),
        block.value.caption ? h("figcaption", {}, block.value.caption) : null,
      );
    }
    default:
      // A block type newer than this frontend: skipped, the rest still reads.
      return null;
  }
}

/**
 * A spoiler as the API sent it. Hidden: its label, the book and chapter it
 * reveals, and a control that records the reader's progress there and asks
 * the API again. Shown: open, closable, saying why it is shown.
 */
function spoiler(
  id: string,
  value: SpoilerValue,
  reviewedBook: BookRef,
  onReveal: OnReveal,
  because: OpenBecause,
): HTMLElement {
  const book = value.spoils ?? reviewedBook;
  const domId = `spoiler-${id}`;
  if (value.hidden || value.content === null) {
    const reached: Reached = value.chapter ?? "finished";
    return h(
      "section",
      { class: "spoiler spoiler--hidden", id: domId, "aria-labelledby": `${domId}-label` },
      h("p", { class: "spoiler__label", id: `${domId}-label` }, h("strong", {}, "Spoiler: "), value.label),
      h("p", { class: "spoiler__scope", id: `${domId}-scope` }, ...scope(book, value.chapter)),
      h(
        "button",
        {
          type: "button",
          class: "spoiler__reveal",
          "aria-describedby": `${domId}-scope`,
          onclick: () => onReveal({ book, reached, focusId: `${domId}-summary` }),
        },
        value.chapter === null
          ? `I have finished ${book.title}: show it`
          : `I have read ${book.title} to chapter ${value.chapter}: show it`,
      ),
    );
  }
  return h(
    "details",
    { class: "spoiler spoiler--open", id: domId, open: true },
    h(
      "summary",
      { id: `${domId}-summary` },
      h("strong", {}, "Spoiler: "),
      value.label,
      h("span", { class: "spoiler__why" }, because === "asked" ? " — you asked to see spoilers" : " — you have read this far"),
    ),
    h("p", { class: "spoiler__scope" }, ...scope(book, value.chapter)),
    h("div", { class: "spoiler__content" }, value.content.map((child) => contentBlock(child, "h3"))),
  );
}

export function streamBody(
  blocks: ReviewBlock[],
  reviewedBook: BookRef,
  onReveal: OnReveal,
  because: OpenBecause = "read",
): HTMLElement {
  return h(
    "div",
    { class: "stream" },
    blocks.map((block, index) =>
      block.type === "spoiler"
        ? spoiler(block.id ?? String(index), block.value, reviewedBook, onReveal, because)
        : contentBlock(block, "h2"),
    ),
  );
}
