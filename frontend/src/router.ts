/**
 * Hash routes (`#/reviews/12`), so the built app runs from any static server
 * without rewrite rules.
 */

export interface Route {
  /** The path after `#`, e.g. `/reviews/12`. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
}

export interface View {
  title: string;
  content: Node;
}

type Handler = (route: Route) => Promise<View>;

const routes: { pattern: RegExp; names: string[]; handler: Handler }[] = [];

export function route(path: string, handler: Handler): void {
  const names: string[] = [];
  const pattern = new RegExp(
    `^${path.replace(/:(\w+)/g, (_, name: string) => {
      names.push(name);
      return "([1-9]\\d*)";
    })}/?$`,
  );
  routes.push({ pattern, names, handler });
}

export function current(): Route {
  let hash = location.hash.replace(/^#/, "");
  try {
    hash = decodeURI(hash);
  } catch {
    // A malformed escape in a pasted address: route on it as it stands.
  }
  hash ||= "/";
  const [path = "/", search = ""] = hash.split("?", 2);
  return { path, params: {}, query: new URLSearchParams(search) };
}

export function match(target: Route): { handler: Handler; route: Route } | null {
  for (const { pattern, names, handler } of routes) {
    const found = pattern.exec(target.path);
    if (found) {
      const params: Record<string, string> = {};
      names.forEach((name, index) => (params[name] = found[index + 1] ?? ""));
      return { handler, route: { ...target, params } };
    }
  }
  return null;
}

/** `href("/reviews/", {book: 2})` → `#/reviews/?book=2`. */
export function href(path: string, query: Record<string, string | number | null | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== "") params.set(key, String(value));
  }
  const search = params.toString();
  return `#${path}${search ? `?${search}` : ""}`;
}
