/**
 * What the API answers, typed from the OpenAPI document: reviews, discussions
 * and their StreamField blocks (discriminated unions on `type`). Derived
 * from the operations' responses, so a renamed component schema does not
 * break them.
 */
import type { paths } from "./schema";

type Json<P extends keyof paths, M extends "get"> = paths[P][M] extends {
  responses: { 200: { content: { "application/json": infer T } } };
}
  ? T
  : never;

export type Review = Json<"/api/v3/reviews/{review_id}/", "get">;
export type Discussion = Json<"/api/v3/discussions/{discussion_id}/", "get">;
export type CommentList = Json<"/api/v3/discussions/{page_id}/comments/", "get">;
export type Comment = CommentList["items"][number];
export type RSVPSummary = Json<"/api/v3/discussions/{discussion_id}/rsvps/", "get">;
export type RSVPAnswer = NonNullable<RSVPSummary["mine"]>;

/** A review body's block: paragraph, heading, quote, image or spoiler. */
export type ReviewBlock = Review["body"][number];
export type SpoilerBlock = Extract<ReviewBlock, { type: "spoiler" }>;
/** A spoiler: `content` is null whenever `hidden` is true. */
export type SpoilerValue = SpoilerBlock["value"];
/** What a spoiler holds: paragraph, quote or image. */
export type ContentBlock = NonNullable<SpoilerValue["content"]>[number];
/** A discussion question, gated like a spoiler: `question` is null while hidden. */
export type QuestionBlock = Discussion["questions"][number];
export type BookRef = NonNullable<SpoilerValue["spoils"]>;

// A response that lost its 200 JSON schema would make these types `never`,
// which TypeScript accepts everywhere; fail the build instead.
type NotNever<T> = [T] extends [never] ? false : true;
type Assert<T extends true> = T;
export type ResponsesAreTyped = [
  Assert<NotNever<Review>>,
  Assert<NotNever<Discussion>>,
  Assert<NotNever<CommentList>>,
  Assert<NotNever<SpoilerValue>>,
  Assert<NotNever<RSVPSummary>>,
];
