/*
 * Hidden discussion comments: open one range of chapters in place.
 *
 * Without JavaScript each range is a link that reloads the page with
 * ?reveal_comments=<range>. Here the link becomes a button that fetches the
 * range's comments (the same for every reader) and shows them under it,
 * with aria-expanded kept true and focus left on the button, which then
 * hides them again. Hand-written: a few lines of DOM code need no library.
 */
(function () {
    "use strict";

    function enhance(link) {
        var item = link.closest(".comment-range");
        var button = document.createElement("button");
        var panel = document.createElement("div");
        var panelId = item.id + "-content";
        var loaded = false;

        button.type = "button";
        button.className = "comment-range__reveal";
        button.textContent = link.dataset.showLabel;
        button.setAttribute("aria-expanded", "false");
        button.setAttribute("aria-controls", panelId);
        panel.id = panelId;
        panel.className = "comment-range__panel";
        panel.hidden = true;
        link.replaceWith(button);
        item.appendChild(panel);

        function setOpen(open) {
            panel.hidden = !open;
            button.setAttribute("aria-expanded", open ? "true" : "false");
            button.textContent = open ? link.dataset.hideLabel : link.dataset.showLabel;
        }

        button.addEventListener("click", function () {
            if (button.getAttribute("aria-expanded") === "true") {
                setOpen(false);
                return;
            }
            if (loaded) {
                setOpen(true);
                return;
            }
            button.setAttribute("aria-busy", "true");
            fetch(link.dataset.revealUrl, { credentials: "omit", headers: { Accept: "text/html" } })
                .then(function (response) {
                    if (!response.ok) {
                        throw new Error(String(response.status));
                    }
                    return response.text();
                })
                .then(function (html) {
                    panel.innerHTML = html;
                    // Comments already on the page stay where they are.
                    panel.querySelectorAll("li.comment").forEach(function (comment) {
                        if (document.querySelectorAll("#" + CSS.escape(comment.id)).length > 1) {
                            comment.remove();
                        }
                    });
                    loaded = true;
                    button.removeAttribute("aria-busy");
                    setOpen(true);
                })
                .catch(function () {
                    // Fall back to the page that renders the range itself.
                    window.location.href = link.href;
                });
        });
    }

    document.querySelectorAll("a.comment-range__reveal[data-reveal-url]").forEach(enhance);
})();
