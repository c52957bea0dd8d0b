/** Rendering the current route into `<main>`, and moving focus like a page load would. */
import { ApiError } from "./api/client";
import { h } from "./dom";
import { current, match, type View } from "./router";

let generation = 0;
let firstRender = true;

function problemView(error: unknown): View {
  const status = error instanceof ApiError ? error.status : 0;
  const message = error instanceof Error ? error.message : String(error);
  const title = status === 404 ? "Not found" : "Something went wrong";
  return {
    title,
    content: h(
      "div",
      { class: "problem" },
      h("h1", { tabindex: -1 }, title),
      h("p", { role: "alert" }, status === 404 ? "There is nothing here, or it is not public." : message),
      h("p", {}, h("a", { href: "#/" }, "Back to the reviews")),
    ),
  };
}

/**
 * Render the route in the address bar. After navigation the focus goes to the
 * new heading, as a screen reader expects of a new page; after an action on
 * the same page it goes to `focusId`, so the reader keeps their place.
 */
export async function render(focusId?: string): Promise<void> {
  const main = document.getElementById("main");
  if (!main) return;
  const mine = ++generation;
  main.setAttribute("aria-busy", "true");
  const found = match(current());
  let view: View;
  try {
    view = found ? await found.handler(found.route) : problemView(new ApiError(404, "Not found"));
  } catch (error) {
    view = problemView(error);
  }
  if (mine !== generation) return;
  main.replaceChildren(view.content);
  main.removeAttribute("aria-busy");
  document.title = `${view.title} · Book club`;
  for (const link of document.querySelectorAll<HTMLAnchorElement>("nav a")) {
    const section = link.getAttribute("href")?.replace(/^#/, "") ?? "";
    const here = current().path;
    const active = section === "/" ? here === "/" || here.startsWith("/reviews") : here.startsWith(section);
    if (active) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const target = focusId ? document.getElementById(focusId) : null;
  if (target) {
    target.focus();
  } else if (!firstRender) {
    main.querySelector<HTMLElement>("h1")?.focus();
    window.scrollTo(0, 0);
  }
  firstRender = false;
  document.dispatchEvent(new CustomEvent("bookclub:rendered"));
}
