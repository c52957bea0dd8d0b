/** One review; its spoilers open through the API once the reader says how far they are. */
import { api, mediaUrl, unwrap } from "../api/client";
import { announce, h } from "../dom";
import { render } from "../app";
import { reach } from "../progress";
import { token } from "../reader";
import { href, type Route, type View } from "../router";
import { streamBody, type RevealRequest } from "./blocks";
import { reviewMeta } from "./reviews";

async function reveal(request: RevealRequest): Promise<void> {
  announce("Recording your progress…");
  try {
    await reach(request.book.id, request.reached);
  } catch (error) {
    announce(error instanceof Error ? error.message : "Your progress could not be recorded.");
    return;
  }
  await render(request.focusId);
  if (!document.getElementById(request.focusId)) {
    announce("The club still keeps this spoiler closed for you.");
  } else {
    announce("Spoiler shown.");
  }
}

export async function reviewPage(route: Route): Promise<View> {
  const id = Number(route.params.id);
  // A member reads their own draft with version=draft (the list links it so).
  const version = route.query.get("version") === "draft" ? "draft" : undefined;
  // spoilers=show: the reader asked for every spoiler of this page, this once.
  const asked = route.query.get("spoilers") === "show";
  const review = await unwrap(
    api().GET("/api/v3/reviews/{review_id}/", {
      params: { path: { review_id: id }, query: { version, spoilers: asked ? "show" : undefined } },
    }),
  );
  const showAll = href(`/reviews/${id}`, { version, spoilers: "show" });
  const hideAll = href(`/reviews/${id}`, { version });
  const cover = review.book.cover;
  const hiddenCount = review.body.filter(
    (block) => block.type === "spoiler" && block.value.hidden,
  ).length;

  return {
    title: review.title,
    content: h(
      "article",
      { class: "review" },
      h(
        "header",
        { class: "review__header" },
        cover
          ? h("img", {
              class: "review__cover",
              src: mediaUrl(cover.thumbnail.url),
              alt: cover.alt,
              width: cover.thumbnail.width,
              height: cover.thumbnail.height,
            })
          : null,
        h(
          "div",
          {},
          h("h1", { tabindex: -1 }, review.title),
          review.meta.status !== "live" ? h("p", { class: "badge" }, "Draft: only you and the editors see it") : null,
          h(
            "p",
            { class: "review__book" },
            "A review of ",
            h("a", { href: href("/", { book: review.book.id }) }, h("cite", {}, review.book.title)),
            ` by ${review.book.author}`,
          ),
          review.book.series.length
            ? h(
                "p",
                {},
                review.book.series.map((series, index) => [
                  index ? "; " : "",
                  `Book ${series.position} of `,
                  h("a", { href: href(`/series/${series.id}`) }, series.title),
                ]),
              )
            : null,
          reviewMeta(review),
        ),
      ),
      h("p", { class: "review__summary" }, review.summary),
      hiddenCount
        ? h(
            "p",
            { class: "notice", role: "note" },
            hiddenCount === 1 ? "One spoiler is closed" : `${hiddenCount} spoilers are closed`,
            " until you have read that far. ",
            token()
              ? "Opening one records your progress in the club."
              : ["Opening one remembers your progress in this browser (", h("a", { href: href("/reading") }, "My reading"), ")."],
            " ",
            h("a", { href: showAll }, "Show every spoiler anyway"),
          )
        : null,
      asked ? h("p", { class: "notice", role: "note" }, "You asked to see every spoiler. ", h("a", { href: hideAll }, "Hide them again")) : null,
      h("section", { class: "review__body", "aria-label": "Review" }, streamBody(review.body, review.book, reveal, asked ? "asked" : "read")),
      review.tags.length
        ? h(
            "p",
            { class: "tags" },
            "Tags: ",
            review.tags.map((tag, index) => [index ? ", " : "", h("a", { href: href("/", { tag }) }, tag)]),
          )
        : null,
    ),
  };
}
