/** Discussions: meetings, questions gated by chapter, and gated comments. */
import { api, unwrap } from "../api/client";
import type { BookRef, Comment, QuestionBlock, RSVPAnswer, RSVPSummary } from "../api/types";
import { announce, h, richText, time } from "../dom";
import { render } from "../app";
import { reach } from "../progress";
import { token } from "../reader";
import { current, href, type Route, type View } from "../router";
import { reviewCard } from "./reviews";

type When = "upcoming" | "past" | "all";

export async function discussionList(route: Route): Promise<View> {
  const when: When = (["upcoming", "past", "all"] as const).find((w) => w === route.query.get("when")) ?? "upcoming";
  const discussions = await unwrap(
    api().GET("/api/v3/discussions/", { params: { query: { when, limit: 50, rich_text_format: "html" } } }),
  );
  const tabs: [When, string][] = [
    ["upcoming", "Upcoming"],
    ["past", "Past"],
    ["all", "All"],
  ];
  return {
    title: "Discussions",
    content: h(
      "div",
      {},
      h("h1", { tabindex: -1 }, "Discussions"),
      h(
        "nav",
        { class: "tabs", "aria-label": "Which meetings" },
        h(
          "ul",
          {},
          tabs.map(([value, label]) =>
            h("li", {}, h("a", { href: href("/discussions", { when: value }), "aria-current": value === when ? "page" : null }, label)),
          ),
        ),
      ),
      discussions.items.length
        ? h(
            "ul",
            { class: "cards" },
            discussions.items.map((meeting) =>
              h(
                "li",
                { class: "card" },
                h("h2", { class: "card__title" }, h("a", { href: href(`/discussions/${meeting.id}`) }, meeting.title)),
                h("p", {}, time(meeting.starts_at), meeting.location ? ` · ${meeting.location}` : ""),
                h("p", {}, h("cite", {}, meeting.book.title), ` · ${meeting.comment_count === 1 ? "1 comment" : `${meeting.comment_count} comments`}`),
              ),
            ),
          )
        : h("p", {}, when === "past" ? "No past meetings." : "No meetings planned yet."),
    ),
  };
}

function question(block: QuestionBlock, index: number, meetingBook: BookRef): HTMLElement {
  const value = block.value;
  const book = value.book ?? meetingBook;
  const domId = `question-${block.id ?? index}`;
  if (value.hidden || value.question === null) {
    const chapter = value.chapter;
    return h(
      "li",
      { class: "question question--hidden", id: domId },
      h(
        "p",
        { id: `${domId}-scope` },
        chapter === null
          ? ["A question about the whole of ", h("cite", {}, book.title), ", hidden until you have finished it."]
          : ["A question about chapter ", String(chapter), " of ", h("cite", {}, book.title), ", hidden until you get there."],
      ),
      h(
        "button",
        {
          type: "button",
          class: "question__reveal",
          "aria-describedby": `${domId}-scope`,
          onclick: async () => {
            try {
              await reach(book.id, chapter ?? "finished");
            } catch (error) {
              announce(error instanceof Error ? error.message : "Your progress could not be recorded.");
              return;
            }
            await render(`${domId}-text`);
          },
        },
        chapter === null ? `I have finished ${book.title}: show it` : `I have read ${book.title} to chapter ${chapter}: show it`,
      ),
    );
  }
  return h(
    "li",
    { class: "question", id: domId },
    h("p", { id: `${domId}-text`, tabindex: -1 }, value.question),
    value.chapter !== null ? h("p", { class: "question__scope" }, `About chapter ${value.chapter}.`) : null,
  );
}

/** What stands in place of a comment the API does not send: a reply to it
 * is shown, so it keeps its place in the thread, without an author. */
function placeholder(comment: Comment): string | null {
  if (comment.removed) return "A moderator removed this comment.";
  if (comment.deleted) return "Its author deleted this comment.";
  if (comment.hidden)
    return comment.chapter !== null
      ? `A comment about chapter ${comment.chapter}, hidden until you get there.`
      : "A comment about the whole book, hidden until you finish it.";
  return null;
}

function commentBody(comment: Comment): Node {
  if (comment.body_html) return richText(comment.body_html, "comment__body");
  return h("p", { class: "comment__body" }, comment.body ?? "");
}

function commentCard(comment: Comment): HTMLElement {
  const standIn = placeholder(comment);
  if (standIn !== null)
    return h("article", { class: "comment comment--placeholder", id: `comment-${comment.id}` }, h("p", { class: "comment__placeholder" }, standIn));
  return h(
    "article",
    { class: "comment", id: `comment-${comment.id}`, "aria-labelledby": `comment-${comment.id}-by` },
    h(
      "p",
      { class: "comment__meta", id: `comment-${comment.id}-by` },
      h("strong", {}, comment.author?.display_name ?? "Someone"),
      comment.chapter !== null ? ` on chapter ${comment.chapter}` : "",
      " · ",
      time(comment.created_at),
    ),
    commentBody(comment),
  );
}

function thread(comments: Comment[]): HTMLElement {
  const children = new Map<number | null, Comment[]>();
  const ids = new Set(comments.map((c) => c.id));
  for (const comment of comments) {
    // A reply whose parent is not in the list (hidden or on another page) starts its own thread.
    const parent = comment.parent !== null && ids.has(comment.parent) ? comment.parent : null;
    children.set(parent, [...(children.get(parent) ?? []), comment]);
  }
  const list = (parent: number | null): HTMLElement =>
    h(
      "ol",
      { class: parent === null ? "comments" : "comments comments--replies" },
      (children.get(parent) ?? []).map((comment) =>
        h("li", {}, commentCard(comment), children.has(comment.id) ? list(comment.id) : null),
      ),
    );
  return list(null);
}

function openRange(key: string | null): void {
  const route = current();
  const query: Record<string, string> = {};
  route.query.forEach((value, name) => (query[name] = value));
  if (key) query.open = key;
  else delete query.open;
  history.replaceState(null, "", href(route.path, query));
  void render("comments-heading");
}

function commentForm(discussionId: number): HTMLElement {
  const status = h("p", { id: "comment-form-status", role: "status" });
  return h(
    "form",
    {
      class: "comment-form",
      "aria-labelledby": "comment-form-heading",
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const form = event.currentTarget as HTMLFormElement;
        const data = new FormData(form);
        const chapter = String(data.get("chapter") ?? "").trim();
        try {
          await unwrap(
            api().POST("/api/v3/discussions/{page_id}/comments/", {
              params: { path: { page_id: discussionId } },
              body: { body: String(data.get("body") ?? ""), chapter: chapter ? Number(chapter) : null },
            }),
          );
        } catch (error) {
          status.textContent = error instanceof Error ? error.message : "Your comment was not posted.";
          return;
        }
        announce("Comment posted.");
        await render("comments-heading");
      },
    },
    h("h3", { id: "comment-form-heading" }, "Add a comment"),
    h("div", { class: "field field--wide" }, h("label", { for: "comment-body" }, "Comment"), h("textarea", { id: "comment-body", name: "body", required: true, rows: 4, maxlength: 4000 })),
    h(
      "div",
      { class: "field" },
      h("label", { for: "comment-chapter" }, "About chapter (optional)"),
      h("input", { id: "comment-chapter", name: "chapter", type: "number", min: 1, inputmode: "numeric", "aria-describedby": "comment-chapter-help" }),
      h("p", { id: "comment-chapter-help", class: "help" }, "Readers who have not reached it will not see your comment."),
    ),
    h("button", { type: "submit" }, "Post comment"),
    status,
  );
}

const ANSWERS: [RSVPAnswer, string][] = [
  ["going", "Going"],
  ["maybe", "Maybe"],
  ["not_going", "Not going"],
];

/** Who is coming: counts for everyone, names and an answer form for members. */
function attendance(discussionId: number, rsvps: RSVPSummary, upcoming: boolean): HTMLElement {
  const names = (list: string[] | null) => (list && list.length ? ` (${list.join(", ")})` : "");
  const status = h("p", { id: "rsvp-status", tabindex: -1 }, rsvps.mine ? `Your answer: ${ANSWERS.find(([a]) => a === rsvps.mine)?.[1]}.` : "");
  return h(
    "section",
    { class: "rsvps", "aria-labelledby": "rsvp-heading" },
    h("h2", { id: "rsvp-heading" }, "Who is coming"),
    h(
      "ul",
      {},
      h("li", {}, `Going: ${rsvps.going_count}${names(rsvps.going)}`),
      h("li", {}, `Maybe: ${rsvps.maybe_count}${names(rsvps.maybe)}`),
      h("li", {}, `Not going: ${rsvps.not_going_count}`),
    ),
    token() && upcoming
      ? h(
          "form",
          {
            onsubmit: async (event: Event) => {
              event.preventDefault();
              const answer = new FormData(event.currentTarget as HTMLFormElement).get("answer");
              const chosen = ANSWERS.find(([value]) => value === answer)?.[0];
              if (!chosen) return;
              try {
                await unwrap(
                  api().PUT("/api/v3/discussions/{discussion_id}/rsvp/", {
                    params: { path: { discussion_id: discussionId } },
                    body: { answer: chosen },
                  }),
                );
              } catch (error) {
                announce(error instanceof Error ? error.message : "Your answer was not saved.");
                return;
              }
              await render("rsvp-status");
            },
          },
          h(
            "fieldset",
            {},
            h("legend", {}, "Are you coming?"),
            ANSWERS.map(([value, label]) =>
              h(
                "span",
                { class: "choice" },
                h("input", { type: "radio", name: "answer", id: `rsvp-${value}`, value, checked: rsvps.mine === value, required: true }),
                h("label", { for: `rsvp-${value}` }, label),
              ),
            ),
          ),
          h("button", { type: "submit" }, "Save my answer"),
          status,
        )
      : status,
  );
}

export async function discussionPage(route: Route): Promise<View> {
  const id = Number(route.params.id);
  const open = route.query.get("open");
  const [meeting, comments, rsvps] = await Promise.all([
    unwrap(
      api().GET("/api/v3/discussions/{discussion_id}/", {
        params: { path: { discussion_id: id }, query: { rich_text_format: "html" } },
      }),
    ),
    unwrap(
      api().GET("/api/v3/discussions/{page_id}/comments/", {
        params: { path: { page_id: id }, query: { limit: 50, reveal_comments: open } },
      }),
    ),
    unwrap(api().GET("/api/v3/discussions/{discussion_id}/rsvps/", { params: { path: { discussion_id: id } } })),
  ]);
  const reviews = await unwrap(api().GET("/api/v3/reviews/", { params: { query: { book: meeting.book.id, limit: 3 } } }));

  const hidden = comments.hidden;
  return {
    title: meeting.title,
    content: h(
      "article",
      { class: "discussion" },
      h("h1", { tabindex: -1 }, meeting.title),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, "Book"),
        h("dd", {}, h("cite", {}, meeting.book.title), ` by ${meeting.book.author}`),
        h("dt", {}, "When"),
        h("dd", {}, time(meeting.starts_at)),
        meeting.location ? [h("dt", {}, "Where"), h("dd", {}, meeting.location)] : null,
        meeting.online_url ? [h("dt", {}, "Online"), h("dd", {}, h("a", { href: meeting.online_url, rel: "noopener noreferrer" }, meeting.online_url))] : null,
        meeting.host ? [h("dt", {}, "Host"), h("dd", {}, meeting.host)] : null,
      ),
      richText(meeting.intro),
      attendance(id, rsvps, meeting.is_upcoming),
      h("h2", {}, "Questions"),
      h("ol", { class: "questions" }, meeting.questions.map((block, index) => question(block, index, meeting.book))),
      h("h2", { id: "comments-heading", tabindex: -1 }, `Comments (${meeting.comment_count})`),
      comments.items.length ? thread(comments.items) : h("p", {}, "No comments you can see yet."),
      hidden.ranges.length
        ? h(
            "section",
            { class: "hidden-comments", "aria-labelledby": "hidden-comments-heading" },
            h("h3", { id: "hidden-comments-heading" }, "Hidden until you get there"),
            h("p", {}, hidden.message),
            h(
              "ul",
              {},
              hidden.ranges.map((range) =>
                h(
                  "li",
                  {},
                  `${range.label} `,
                  h("button", { type: "button", class: "link-button", onclick: () => openRange(range.key) }, "Show them anyway"),
                ),
              ),
            ),
          )
        : null,
      open ? h("p", {}, h("button", { type: "button", class: "link-button", onclick: () => openRange(null) }, "Hide the comments I opened")) : null,
      token()
        ? commentForm(id)
        : h("p", {}, h("a", { href: href("/account") }, "Sign in"), " with your club token to comment."),
      reviews.items.length
        ? [
            h("h2", {}, "Reviews of ", h("cite", {}, meeting.book.title)),
            h("ul", { class: "cards" }, reviews.items.map((review) => h("li", {}, reviewCard(review, "h3")))),
          ]
        : null,
    ),
  };
}
