/*
 * Character viewer: its navigation (a menu per group of sections) and lazy tabs.
 *
 * The open section is in the URL (#tab-<section>): opening a section adds a history entry, so
 * the back button returns to the previous section, and a reload or a shared link opens the
 * same one. A lazy section is fetched when first opened, from the menu or from a link.
 * Bootstrap's dropdowns give the menus their keyboard use (Enter or Space opens, arrow keys
 * move, Escape closes).
 */
(function () {
  "use strict";

  const PREFIX = "#tab-";

  function loadLazyPane(pane) {
    const url = pane.dataset.lazyUrl;
    if (!url || pane.dataset.loaded) {
      return Promise.resolve();
    }
    pane.dataset.loaded = "1";
    const body = pane.querySelector(".viewer-section-body") || pane;
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then((response) => {
        if (!response.ok) {
          throw Object.assign(new Error(response.statusText), { status: response.status });
        }
        return response.text();
      })
      .then((html) => {
        body.innerHTML = html; // rendered by our own template
        if (window.memberauditTables) {
          window.memberauditTables.initVisible(pane);
        }
      })
      .catch((error) => {
        delete pane.dataset.loaded;
        const message = document.createElement("div");
        message.className = "alert alert-danger";
        message.textContent = window.memberauditTables
          ? window.memberauditTables.loadErrorText(error.status)
          : String(error);
        body.replaceChildren(message);
      });
  }

  function tabButton(hash) {
    if (!hash || !hash.startsWith(PREFIX)) {
      return null;
    }
    return document.querySelector(`#viewer-nav [data-bs-target="${CSS.escape(hash)}"]`);
  }

  // Show the section the URL names (or the first one when it names none).
  function showFromUrl() {
    const button =
      tabButton(window.location.hash) || document.querySelector("#viewer-nav [data-bs-toggle='tab']");
    if (button && typeof bootstrap !== "undefined") {
      bootstrap.Tab.getOrCreateInstance(button).show();
    }
  }

  document.addEventListener("shown.bs.tab", (event) => {
    const target = event.target.dataset.bsTarget;
    const pane = target ? document.querySelector(target) : null;
    if (!pane || !pane.closest("#viewer-tab-content")) {
      return;
    }
    // the group's menu shows which group is open; every menu closes
    document.querySelectorAll("#viewer-nav .dropdown-toggle").forEach((toggle) => {
      toggle.classList.toggle("active", toggle.parentElement.contains(event.target));
      const menu = bootstrap.Dropdown.getInstance(toggle);
      if (menu) {
        menu.hide();
      }
      toggle.parentElement.querySelector(".dropdown-menu").classList.remove("show");
    });
    loadLazyPane(pane);
    if (window.location.hash !== target) {
      history.pushState(null, "", target);
    }
  });

  window.addEventListener("popstate", showFromUrl);
  window.addEventListener("hashchange", showFromUrl);

  function start() {
    const active = document.querySelector("#viewer-tab-content .tab-pane.active");
    if (active) {
      loadLazyPane(active);
    }
    if (tabButton(window.location.hash)) {
      showFromUrl();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
