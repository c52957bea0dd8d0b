/*
 * Reveal a hidden spoiler or question in place.
 *
 * The page is sent without the hidden content: each hidden block has a link
 * to the same page with ?reveal=<block id>, which works without JavaScript.
 * This script turns each link into a toggle button that fetches the block's
 * content from the reveal endpoint (the same answer for everyone, so it is
 * fetched without cookies and served from the shared cache), shows it, and
 * hides it again. Focus stays on the button. If the fetch fails, the link's
 * own page is opened instead. Hand-written: a few lines, no dependency.
 */
(function () {
  "use strict";

  function upgrade(link) {
    var region = document.getElementById(link.getAttribute("aria-controls"));
    var url = link.getAttribute("data-reveal-url");
    if (!region || !url) {
      return;
    }
    var showText = link.textContent;
    var button = document.createElement("button");
    button.type = "button";
    button.className = link.className;
    button.textContent = showText;
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", region.id);
    var label = link.getAttribute("aria-describedby");
    if (label) {
      button.setAttribute("aria-describedby", label);
    }
    var loaded = false;

    function setOpen(open) {
      region.hidden = !open;
      button.setAttribute("aria-expanded", open ? "true" : "false");
      button.textContent = open ? "Hide it again" : showText;
      button.closest(".spoiler").classList.toggle("spoiler--revealed", open);
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
      fetch(url, { credentials: "omit", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("reveal failed: " + response.status);
          }
          return response.text();
        })
        .then(function (html) {
          region.innerHTML = html;
          loaded = true;
          button.removeAttribute("aria-busy");
          setOpen(true);
        })
        .catch(function () {
          window.location.href = link.href;
        });
    });
    link.parentNode.replaceChild(button, link);
  }

  function init() {
    var links = document.querySelectorAll("a.spoiler__reveal[data-reveal-url]");
    Array.prototype.forEach.call(links, upgrade);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
