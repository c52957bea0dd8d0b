import "./style.css";

import { connect } from "./api/client";
import { render } from "./app";
import { loadConfig } from "./config";
import { token } from "./reader";
import { route } from "./router";
import { accountPage } from "./views/account";
import { discussionList, discussionPage } from "./views/discussions";
import { readingPage } from "./views/reading";
import { reviewPage } from "./views/review";
import { reviewList } from "./views/reviews";
import { seriesList, seriesPage } from "./views/series";

route("/", reviewList);
route("/reviews", reviewList);
route("/reviews/:id", reviewPage);
route("/series", seriesList);
route("/series/:id", seriesPage);
route("/discussions", discussionList);
route("/discussions/:id", discussionPage);
route("/reading", readingPage);
route("/account", accountPage);

function updateAccountLink(): void {
  const link = document.getElementById("account-link");
  if (link) link.textContent = token() ? "Your account" : "Sign in";
}

async function start(): Promise<void> {
  const config = await loadConfig();
  connect(config.apiBase);
  document.getElementById("skip-link")?.addEventListener("click", (event) => {
    // The address bar's hash is the route, so the skip link moves focus itself.
    event.preventDefault();
    document.getElementById("main")?.focus();
  });
  document.addEventListener("bookclub:rendered", updateAccountLink);
  window.addEventListener("hashchange", () => void render());
  // Another tab signed in or out, or recorded progress.
  window.addEventListener("storage", () => void render());
  await render();
}

void start();
