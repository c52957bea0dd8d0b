/**
 * StreamField blocks as the API sends them.
 *
 * The guards check each block's shape at run time, so a block type this
 * frontend does not know is skipped instead of breaking the page.
 */

/** Any block: what the OpenAPI document promises for every stream item. */
export interface AnyBlock {
  type: string;
  id?: string | null;
  value?: unknown;
}

export interface BookRef {
  id: number;
  title: string;
}

export interface ImageValue {
  image: { id: number; title: string; alt: string; url: string; width: number; height: number } | null;
  caption: string;
}

export interface QuoteValue {
  text: string;
  attribution: string;
}

export type ContentBlock =
  | { type: "paragraph"; id?: string | null; value: string }
  | { type: "quote"; id?: string | null; value: QuoteValue }
  | { type: "image"; id?: string | null; value: ImageValue };

/** A spoiler: `content` is null whenever `hidden` is true. */
export interface SpoilerValue {
  spoils: BookRef | null;
  chapter: number | null;
  label: string;
  hidden: boolean;
  content: AnyBlock[] | null;
}

/** A discussion question, gated like a spoiler: `question` is null while hidden. */
export interface QuestionValue {
  book: BookRef | null;
  chapter: number | null;
  hidden: boolean;
  question: string | null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

export function isParagraph(block: AnyBlock): block is { type: "paragraph"; id?: string | null; value: string } {
  return block.type === "paragraph" && typeof block.value === "string";
}

export function isHeading(block: AnyBlock): block is { type: "heading"; id?: string | null; value: string } {
  return block.type === "heading" && typeof block.value === "string";
}

export function isQuote(block: AnyBlock): block is { type: "quote"; id?: string | null; value: QuoteValue } {
  return block.type === "quote" && isObject(block.value) && typeof block.value.text === "string";
}

export function isImage(block: AnyBlock): block is { type: "image"; id?: string | null; value: ImageValue } {
  return block.type === "image" && isObject(block.value) && "image" in block.value;
}

export function isSpoiler(block: AnyBlock): block is { type: "spoiler"; id?: string | null; value: SpoilerValue } {
  return block.type === "spoiler" && isObject(block.value) && typeof block.value.hidden === "boolean";
}

export function isQuestion(block: AnyBlock): block is { type: "question"; id?: string | null; value: QuestionValue } {
  return block.type === "question" && isObject(block.value) && typeof block.value.hidden === "boolean";
}
