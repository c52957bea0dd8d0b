/** How far the reader is in each book: what opens spoilers, questions and comments. */
import { api, unwrap } from "../api/client";
import { announce, h } from "../dom";
import { render } from "../app";
import { describeReached, myProgress, setProgress } from "../progress";
import { forgetLocalProgress, token, type Reached } from "../reader";
import { href, type View } from "../router";

export async function readingPage(): Promise<View> {
  const [books, progress] = await Promise.all([
    unwrap(api().GET("/api/v3/books/", { params: { query: { limit: 50 } } })),
    myProgress(),
  ]);
  const member = Boolean(token());

  const row = (book: (typeof books.items)[number]) => {
    const reached = progress.get(book.id);
    const domId = `book-${book.id}`;
    const chapterInput = h("input", {
      id: `${domId}-chapter`,
      name: "chapter",
      type: "number",
      min: 1,
      max: book.chapter_count ?? null,
      inputmode: "numeric",
      value: typeof reached === "number" ? reached : "",
    });
    const finishedInput = h("input", { id: `${domId}-finished`, name: "finished", type: "checkbox", checked: reached === "finished" });
    return h(
      "li",
      { class: "progress-row" },
      h(
        "form",
        {
          "aria-labelledby": `${domId}-title`,
          onsubmit: async (event: Event) => {
            event.preventDefault();
            const chapter = chapterInput.valueAsNumber;
            const value: Reached | null = finishedInput.checked
              ? "finished"
              : Number.isInteger(chapter) && chapter > 0
                ? chapter
                : null;
            try {
              await setProgress(book.id, value);
            } catch (error) {
              announce(error instanceof Error ? error.message : "Your progress was not saved.");
              return;
            }
            await render(`${domId}-state`);
            announce(`Saved: ${book.title}, ${describeReached(value ?? undefined).toLowerCase()}.`);
          },
        },
        h("h2", { id: `${domId}-title`, class: "progress-row__title" }, h("cite", {}, book.title), ` by ${book.author}`),
        h("p", { id: `${domId}-state`, tabindex: -1 }, describeReached(reached), book.chapter_count ? ` (of ${book.chapter_count} chapters)` : ""),
        h(
          "div",
          { class: "progress-row__fields" },
          h("div", { class: "field" }, h("label", { for: `${domId}-chapter` }, "Chapter reached"), chapterInput),
          h("div", { class: "field field--check" }, finishedInput, h("label", { for: `${domId}-finished` }, "Finished")),
          h("button", { type: "submit" }, "Save", h("span", { class: "visually-hidden" }, ` progress in ${book.title}`)),
        ),
      ),
    );
  };

  return {
    title: "My reading",
    content: h(
      "div",
      {},
      h("h1", { tabindex: -1 }, "My reading"),
      h(
        "p",
        {},
        member
          ? "Your progress is kept by the club: spoilers, questions and comments open as you get there, on every device you sign in on."
          : [
              "Your progress is kept in this browser only and sent with each request, so the club opens spoilers, questions and comments as you get there. ",
              h("a", { href: href("/account") }, "Sign in"),
              " to keep it in the club.",
            ],
      ),
      h("ul", { class: "progress-list" }, books.items.map(row)),
      member
        ? null
        : h(
            "p",
            {},
            h(
              "button",
              {
                type: "button",
                class: "link-button",
                onclick: async () => {
                  forgetLocalProgress();
                  await render();
                  announce("This browser forgot your progress.");
                },
              },
              "Forget my progress in this browser",
            ),
          ),
    ),
  };
}
