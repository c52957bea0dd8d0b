/** Signing in with a member's API token. */
import { ApiError, api, mediaUrl, unwrap } from "../api/client";
import { announce, h } from "../dom";
import { render } from "../app";
import { reach } from "../progress";
import { forgetLocalProgress, localProgress, setToken, token } from "../reader";
import type { View } from "../router";

/** Progress this browser kept before signing in can join the member's own. */
function adoptLocalProgress(): HTMLElement | null {
  const local = Object.entries(localProgress());
  if (!local.length) return null;
  return h(
    "div",
    { class: "notice" },
    h("p", {}, local.length === 1 ? "This browser remembers your progress in 1 book." : `This browser remembers your progress in ${local.length} books.`),
    h(
      "button",
      {
        type: "button",
        onclick: async () => {
          try {
            // reach() only ever moves a member's progress forward.
            for (const [book, reached] of local) await reach(Number(book), reached);
          } catch (error) {
            announce(error instanceof Error ? error.message : "Your progress was not saved.");
            return;
          }
          forgetLocalProgress();
          await render("signed-in");
          announce("Your progress is now kept by the club.");
        },
      },
      "Add it to your account",
    ),
  );
}

export async function accountPage(): Promise<View> {
  if (token()) {
    let name = "a member";
    try {
      const me = await unwrap(api().GET("/api/v3/whoami/"));
      name = [me.user.first_name, me.user.last_name].filter(Boolean).join(" ") || me.user.username;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        setToken(null);
        return accountPage();
      }
      throw error;
    }
    return {
      title: "Your account",
      content: h(
        "div",
        {},
        h("h1", { tabindex: -1 }, "Your account"),
        h("p", { id: "signed-in", tabindex: -1 }, `Signed in as ${name}.`),
        adoptLocalProgress(),
        h(
          "button",
          {
            type: "button",
            onclick: async () => {
              setToken(null);
              await render();
              announce("Signed out.");
            },
          },
          "Sign out",
        ),
      ),
    };
  }

  const error = h("p", { id: "token-error", class: "error", role: "alert" });
  return {
    title: "Sign in",
    content: h(
      "div",
      {},
      h("h1", { tabindex: -1 }, "Sign in"),
      h(
        "form",
        {
          class: "signin",
          onsubmit: async (event: Event) => {
            event.preventDefault();
            const value = String(new FormData(event.currentTarget as HTMLFormElement).get("token") ?? "").trim();
            setToken(value);
            try {
              await unwrap(api().GET("/api/v3/whoami/"));
            } catch (problem) {
              setToken(null);
              error.textContent =
                problem instanceof ApiError && problem.status === 401
                  ? "The club does not know this token. Check it, or make a new one."
                  : problem instanceof Error
                    ? problem.message
                    : "Signing in failed.";
              return;
            }
            await render();
            announce("Signed in.");
          },
        },
        h("div", { class: "field field--wide" }, h("label", { for: "token" }, "API token"), h("input", { id: "token", name: "token", type: "password", required: true, autocomplete: "off", "aria-describedby": "token-help token-error" })),
        h(
          "p",
          { id: "token-help", class: "help" },
          "Make one on the club's site, in ",
          h("a", { href: mediaUrl("/reading/tokens/") }, "My reading: your API tokens"),
          ". This tab keeps it until you sign out or close it.",
        ),
        error,
        h("button", { type: "submit" }, "Sign in"),
      ),
    ),
  };
}
