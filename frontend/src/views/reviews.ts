/** The review list, filtered by book, series, tag, rating and text. */
import { api, mediaUrl, unwrap } from "../api/client";
import type { Review } from "../api/types";
import { h, stars, time } from "../dom";
import { token } from "../reader";
import { href, type Route, type View } from "../router";

const PAGE_SIZE = 10;

const ORDERINGS = [
  ["-published", "Newest first"],
  ["published", "Oldest first"],
  ["-rating", "Highest rated"],
  ["rating", "Lowest rated"],
  ["-popularity", "Most read this month"],
] as const;
type Ordering = (typeof ORDERINGS)[number][0];

function positiveInt(value: string | null): number | undefined {
  return value && /^[1-9]\d{0,8}$/.test(value) ? Number(value) : undefined;
}

/** Rating, reviewer and date: "Rated 4 out of 5 · by Alice Marsh · 3 Dec 2026". */
export function reviewMeta(review: Review): HTMLElement {
  return h(
    "p",
    { class: "card__meta" },
    stars(review.rating),
    review.rating !== null ? " · " : null,
    "by ",
    review.reviewer.id !== null
      ? h("a", { href: href("/", { reviewer: review.reviewer.id }) }, review.reviewer.display_name)
      : review.reviewer.display_name,
    review.published ? [" · ", time(review.published, false)] : null,
  );
}

const STATUS: Record<Review["meta"]["status"], string> = {
  live: "Published",
  draft: "Draft",
  in_moderation: "Waiting for an editor",
};

export function reviewCard(review: Review, headingLevel: "h2" | "h3" = "h2"): HTMLElement {
  const cover = review.book.cover;
  const draft = review.meta.status !== "live";
  return h(
    "article",
    { class: "card review-card" },
    cover
      ? h("img", {
          class: "card__cover",
          src: mediaUrl(cover.thumbnail.url),
          width: cover.thumbnail.width / 2,
          height: cover.thumbnail.height / 2,
          alt: "",
          loading: "lazy",
        })
      : null,
    h(
      "div",
      { class: "card__text" },
      h(
        headingLevel,
        { class: "card__title" },
        h("a", { href: href(`/reviews/${review.id}`, { version: draft ? "draft" : null }) }, review.title),
        draft ? h("span", { class: "badge" }, STATUS[review.meta.status]) : null,
      ),
      h("p", { class: "card__book" }, h("cite", {}, review.book.title), ` by ${review.book.author}`),
      reviewMeta(review),
      h("p", {}, review.summary),
      review.spoils.length
        ? h(
            "p",
            { class: "card__spoils" },
            "Has spoilers for ",
            review.spoils.map((book, index) => [index ? ", " : "", h("cite", {}, book.title)]).flat(),
            " (hidden until you have read that far)",
          )
        : null,
    ),
  );
}

function select(
  name: string,
  label: string,
  options: readonly (readonly [string, string])[],
  selected: string | null,
): HTMLElement {
  const id = `filter-${name}`;
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    h(
      "select",
      { id, name },
      options.map(([value, text]) => h("option", { value, selected: value === (selected ?? "") }, text)),
    ),
  );
}

export async function reviewList(route: Route): Promise<View> {
  const q = route.query;
  const offset = positiveInt(q.get("offset")) ?? 0;
  const ordering = ORDERINGS.find(([value]) => value === q.get("ordering"))?.[0] ?? ("-published" as Ordering);
  const query = {
    book: positiveInt(q.get("book")),
    series: positiveInt(q.get("series")),
    tag: q.get("tag") || undefined,
    rating_min: positiveInt(q.get("rating_min")),
    search: q.get("search") || undefined,
    reviewer: /^([\w-]{12}|me)$/.test(q.get("reviewer") ?? "") ? (q.get("reviewer") as string) : undefined,
    mine: token() && q.get("mine") === "true" ? true : undefined,
    ordering,
    limit: PAGE_SIZE,
    offset,
  };
  const [reviews, books, series] = await Promise.all([
    unwrap(api().GET("/api/v3/reviews/", { params: { query } })),
    unwrap(api().GET("/api/v3/books/", { params: { query: { limit: 50 } } })),
    unwrap(api().GET("/api/v3/series/", { params: { query: { limit: 50 } } })),
  ]);

  const form = h(
    "form",
    {
      class: "filters",
      role: "search",
      "aria-label": "Filter reviews",
      onsubmit: (event: Event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget as HTMLFormElement);
        const values: Record<string, string> = {};
        data.forEach((value, key) => (values[key] = String(value).trim()));
        location.hash = href("/", values);
      },
    },
    query.reviewer ? h("input", { type: "hidden", name: "reviewer", value: query.reviewer }) : null,
    h(
      "div",
      { class: "field field--wide" },
      h("label", { for: "filter-search" }, "Search"),
      h("input", { id: "filter-search", name: "search", type: "search", value: query.search ?? "" }),
    ),
    select("book", "Book", [["", "Any book"], ...books.items.map((b) => [String(b.id), b.title] as const)], q.get("book")),
    select(
      "series",
      "Series",
      [["", "Any series"], ...series.items.map((s) => [String(s.id), s.title] as const)],
      q.get("series"),
    ),
    h(
      "div",
      { class: "field" },
      h("label", { for: "filter-tag" }, "Tag"),
      h("input", { id: "filter-tag", name: "tag", value: query.tag ?? "" }),
    ),
    select(
      "rating_min",
      "Rating",
      [
        ["", "Any rating"],
        ["3", "3 stars or more"],
        ["4", "4 stars or more"],
        ["5", "5 stars"],
      ],
      q.get("rating_min"),
    ),
    select("ordering", "Order", ORDERINGS, ordering),
    token()
      ? h(
          "div",
          { class: "field field--check" },
          h("input", { id: "filter-mine", name: "mine", type: "checkbox", value: "true", checked: query.mine === true }),
          h("label", { for: "filter-mine" }, "Only my reviews, drafts included"),
        )
      : null,
    h("div", { class: "field field--actions" }, h("button", { type: "submit" }, "Show reviews")),
  );

  const filtered = Object.entries(query).some(
    ([key, value]) => !["limit", "offset", "ordering"].includes(key) && value !== undefined,
  );
  const pageQuery = (to: number) => {
    const values: Record<string, string> = {};
    q.forEach((value, key) => (values[key] = value));
    values.offset = String(to);
    return href("/", values);
  };
  const pager = h(
    "nav",
    { class: "pager", "aria-label": "Pages of reviews" },
    offset > 0 ? h("a", { href: pageQuery(Math.max(0, offset - PAGE_SIZE)), rel: "prev" }, "Newer reviews") : null,
    offset + PAGE_SIZE < reviews.count ? h("a", { href: pageQuery(offset + PAGE_SIZE), rel: "next" }, "More reviews") : null,
  );

  const reviewer = query.reviewer && reviews.items[0]?.reviewer.display_name;
  const title = reviewer ? `Reviews by ${reviewer}` : "Reviews";
  return {
    title,
    content: h(
      "div",
      {},
      h("h1", { tabindex: -1 }, title),
      form,
      h(
        "p",
        { class: "count", id: "review-count" },
        reviews.count === 1 ? "1 review" : `${reviews.count} reviews`,
        filtered ? " match." : ".",
        filtered ? [" ", h("a", { href: href("/") }, "Clear the filters")] : null,
      ),
      h(
        "ol",
        { class: "cards", "aria-labelledby": "review-count" },
        reviews.items.map((review) => h("li", {}, reviewCard(review))),
      ),
      pager.childElementCount ? pager : null,
    ),
  };
}
