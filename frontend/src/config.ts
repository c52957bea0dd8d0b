/**
 * Where the club's API lives.
 *
 * A deployment puts a `config.json` (`{"apiBase": "https://club.example.org"}`)
 * beside `index.html`, so one build serves any site; without it the build-time
 * `VITE_API_BASE` is used (`make frontend` sets it to the Django server).
 */
export interface Config {
  apiBase: string;
}

const BUILT_IN = (import.meta.env.VITE_API_BASE as string | undefined) ?? "http://127.0.0.1:8000";

export async function loadConfig(): Promise<Config> {
  let apiBase = BUILT_IN;
  try {
    const response = await fetch("config.json", { cache: "no-store" });
    if (response.ok && response.headers.get("content-type")?.includes("json")) {
      const data: unknown = await response.json();
      if (data && typeof data === "object" && "apiBase" in data && typeof data.apiBase === "string") {
        apiBase = data.apiBase;
      }
    }
  } catch {
    // No config.json: the built-in base stands.
  }
  return { apiBase: apiBase.replace(/\/+$/, "") };
}
