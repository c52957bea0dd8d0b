/**
 * Who is reading: an anonymous reader's progress kept in this browser, or a
 * member's API token kept for this tab only.
 *
 * The API decides what a reader may see; the frontend only tells it what the
 * reader has read (`read=`) or who they are (the token). It never holds a
 * spoiler's content unless the API sent it with `hidden: false`.
 */

const PROGRESS_KEY = "bookclub.progress";
const TOKEN_KEY = "bookclub.token";

/** How far into a book: a chapter, or `"finished"` (the ending included). */
export type Reached = number | "finished";

export type LocalProgress = Record<string, Reached>;

function readJSON(key: string): unknown {
  try {
    return JSON.parse(localStorage.getItem(key) ?? "null");
  } catch {
    return null;
  }
}

/** The anonymous reader's progress, book id → chapter or finished. */
export function localProgress(): LocalProgress {
  const raw = readJSON(PROGRESS_KEY);
  const progress: LocalProgress = {};
  if (raw && typeof raw === "object") {
    for (const [book, value] of Object.entries(raw)) {
      if (!/^[1-9]\d*$/.test(book)) continue;
      if (value === "finished" || (Number.isInteger(value) && (value as number) > 0)) {
        progress[book] = value as Reached;
      }
    }
  }
  return progress;
}

/** Is `b` further than `a`? Finished is furthest. */
export function further(a: Reached | undefined, b: Reached): boolean {
  if (a === undefined) return true;
  if (a === "finished") return false;
  return b === "finished" || b > a;
}

/** Record that the reader reached `reached` in `bookId`; progress only grows
 * here, as a reader who has read a chapter cannot unread it. */
export function reachLocally(bookId: number, reached: Reached): void {
  const progress = localProgress();
  if (further(progress[bookId], reached)) {
    progress[bookId] = reached;
    localStorage.setItem(PROGRESS_KEY, JSON.stringify(progress));
  }
}

/** Replace what this browser remembers of one book (the reading page's form). */
export function setLocally(bookId: number, reached: Reached | null): void {
  const progress = localProgress();
  if (reached === null) delete progress[bookId];
  else progress[bookId] = reached;
  localStorage.setItem(PROGRESS_KEY, JSON.stringify(progress));
}

export function forgetLocalProgress(): void {
  localStorage.removeItem(PROGRESS_KEY);
}

/** The API's `read=` value: `<book id>[:<chapter>],…`, a bare id for finished. */
export function readParam(progress: LocalProgress = localProgress()): string | undefined {
  const parts = Object.entries(progress).map(([book, reached]) =>
    reached === "finished" ? book : `${book}:${reached}`,
  );
  return parts.length ? parts.join(",") : undefined;
}

// The token is a member's password for the API, so it lives in this tab's
// sessionStorage: it goes when the tab closes, is not shared with other tabs,
// and is not left on a shared computer, while a reload keeps the member signed
// in. localStorage would keep it for good, readable by any script on this
// origin from then on. (Reading progress is not a secret and stays there.)
// A token an earlier version left in localStorage is dropped.
localStorage.removeItem(TOKEN_KEY);

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value: string | null): void {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}
