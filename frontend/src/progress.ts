/**
 * Recording how far a reader has read: in this browser for an anonymous
 * reader, through `/api/v3/progress/` for a member with a token.
 */
import { api, unwrap, unwrapOrNull } from "./api/client";
import { further, localProgress, reachLocally, setLocally, token, type Reached } from "./reader";

function reachedOf(record: { chapter: number | null; finished: boolean }): Reached | undefined {
  if (record.finished) return "finished";
  return record.chapter ?? undefined;
}

/** Book id → how far the reader is (the member's records, or this browser's). */
export async function myProgress(): Promise<Map<number, Reached>> {
  const progress = new Map<number, Reached>();
  if (!token()) {
    for (const [book, reached] of Object.entries(localProgress())) progress.set(Number(book), reached);
    return progress;
  }
  let offset = 0;
  for (;;) {
    const page = await unwrap(api().GET("/api/v3/progress/", { params: { query: { limit: 50, offset } } }));
    for (const record of page.items) {
      const reached = reachedOf(record);
      if (reached !== undefined) progress.set(record.book.id, reached);
    }
    offset += page.items.length;
    if (!page.items.length || offset >= page.count) return progress;
  }
}

type ProgressRecord = NonNullable<Awaited<ReturnType<typeof memberRecord>>>;

/** A member's record of one book, or null when there is none yet. */
async function memberRecord(bookId: number) {
  return unwrapOrNull(api().GET("/api/v3/progress/{book_id}/", { params: { path: { book_id: bookId } } }));
}

/** Save a member's progress in one book. PATCH changes only what is sent,
 * so the dates already recorded stay; a first record gets today's. */
async function saveMember(bookId: number, reached: Reached | null, current?: ProgressRecord | null): Promise<void> {
  const record = current === undefined ? await memberRecord(bookId) : current;
  const today = new Date().toISOString().slice(0, 10);
  const finished = reached === "finished";
  await unwrap(
    api().PATCH("/api/v3/progress/{book_id}/", {
      params: { path: { book_id: bookId } },
      body: {
        finished,
        ...(finished ? {} : { chapter: reached }),
        ...(reached !== null && !record?.started_at ? { started_at: today } : {}),
        ...(finished && !record?.finished_at ? { finished_at: today } : {}),
        ...(!finished && record?.finished_at ? { finished_at: null } : {}),
      },
    }),
  );
}

/** The reader has read at least this far: progress only grows. */
export async function reach(bookId: number, reached: Reached): Promise<void> {
  if (!token()) {
    reachLocally(bookId, reached);
    return;
  }
  const current = await memberRecord(bookId);
  if (current && !further(reachedOf(current), reached)) return;
  await saveMember(bookId, reached, current);
}

/** Set the reader's progress in one book to exactly this (the reading page). */
export async function setProgress(bookId: number, reached: Reached | null): Promise<void> {
  if (!token()) setLocally(bookId, reached);
  else await saveMember(bookId, reached);
}

export function describeReached(reached: Reached | undefined): string {
  if (reached === undefined) return "Not started";
  return reached === "finished" ? "Finished" : `Up to chapter ${reached}`;
}
