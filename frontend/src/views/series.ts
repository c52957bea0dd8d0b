/** Series, their books in reading order. */
import { api, unwrap } from "../api/client";
import { h, richText } from "../dom";
import { href, type Route, type View } from "../router";

export async function seriesList(): Promise<View> {
  const series = await unwrap(api().GET("/api/v3/series/", { params: { query: { limit: 50 } } }));
  return {
    title: "Series",
    content: h(
      "div",
      {},
      h("h1", { tabindex: -1 }, "Series"),
      series.items.length
        ? h(
            "ul",
            { class: "cards" },
            series.items.map((item) =>
              h(
                "li",
                { class: "card" },
                h("h2", { class: "card__title" }, h("a", { href: href(`/series/${item.id}`) }, item.title)),
                h("p", {}, `by ${item.author} · ${item.books.length === 1 ? "1 book" : `${item.books.length} books`}`),
              ),
            ),
          )
        : h("p", {}, "No series yet."),
    ),
  };
}

export async function seriesPage(route: Route): Promise<View> {
  const id = Number(route.params.id);
  const series = await unwrap(api().GET("/api/v3/series/{series_id}/", { params: { path: { series_id: id } } }));
  return {
    title: series.title,
    content: h(
      "article",
      { class: "series" },
      h("h1", { tabindex: -1 }, series.title),
      h("p", { class: "series__author" }, `by ${series.author}`),
      richText(series.description),
      h("h2", { id: "reading-order" }, "In reading order"),
      h(
        "ol",
        { class: "series-books", "aria-labelledby": "reading-order" },
        // The API sends the books in reading order; the list keeps it.
        series.books.map((book) =>
          h(
            "li",
            {},
            h("span", { class: "series-books__position" }, `Book ${book.position}`),
            " ",
            h("cite", { class: "series-books__title" }, book.title),
            " · ",
            h("a", { href: href("/", { book: book.id }) }, h("span", {}, "Reviews of "), h("cite", {}, book.title)),
          ),
        ),
      ),
      h("p", {}, h("a", { href: href("/", { series: series.id }) }, `All reviews of ${series.title}`)),
    ),
  };
}
