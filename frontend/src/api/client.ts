/**
 * The typed API client, generated from the API's OpenAPI document
 * (`npm run generate` writes `schema.d.ts`; openapi-fetch types every call
 * from it).
 */
import createClient, { type Middleware } from "openapi-fetch";

import { readParam, setToken, token } from "../reader";
import type { paths } from "./schema";

export type Client = ReturnType<typeof createClient<paths>>;

/** An RFC 9457 problem the API answered with, or a failed request. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/**
 * Every call carries the reader: a member's token, or an anonymous reader's
 * progress as `read=` on reads. One place, so no view can forget it.
 */
const readerContext: Middleware = {
  onRequest({ request }) {
    const bearer = token();
    if (bearer) {
      request.headers.set("Authorization", `Bearer ${bearer}`);
      return request;
    }
    const read = readParam();
    if (request.method === "GET" && read) {
      const url = new URL(request.url);
      if (!url.searchParams.has("read")) url.searchParams.set("read", read);
      return new Request(url, request);
    }
    return request;
  },
  onResponse({ request, response }) {
    // The API refuses a token it no longer knows (revoked, or its member
    // deactivated) on reads as on writes: forget it, so the next view reads
    // as a visitor and the account page offers to sign in again.
    if (response.status === 401 && request.headers.has("Authorization")) setToken(null);
    return undefined;
  },
};

let client: Client | null = null;
let base = "";

export function connect(apiBase: string): Client {
  base = apiBase;
  client = createClient<paths>({ baseUrl: apiBase });
  client.use(readerContext);
  return client;
}

export function api(): Client {
  if (!client) throw new Error("connect() first");
  return client;
}

/** Media URLs come relative to the API's site. */
export function mediaUrl(url: string): string {
  return new URL(url, `${base}/`).toString();
}

/** The data of a successful call, or an ApiError with the problem's detail. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch {
    throw new ApiError(0, "The club's server cannot be reached. Check your connection and try again.");
  }
  const { data, error, response } = result;
  if (error !== undefined || data === undefined) {
    throw new ApiError(response.status, problemDetail(error) ?? `The server answered ${response.status}.`);
  }
  return data;
}

function problemDetail(error: unknown): string | undefined {
  if (error && typeof error === "object") {
    for (const key of ["detail", "title", "message"]) {
      const value = (error as Record<string, unknown>)[key];
      if (typeof value === "string" && value) return value;
    }
  }
  return undefined;
}

/** Like {@link unwrap}, but a 404 is `null`: "there is none". */
export async function unwrapOrNull<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T | null> {
  try {
    return await unwrap(call);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}
