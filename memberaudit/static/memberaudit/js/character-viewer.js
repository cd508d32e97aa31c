/*
 * Character viewer: loads lazy tabs when first opened and keeps the open tab in the URL
 * (#tab-<section>), so a reload or a shared link opens the same tab.
 */
(function () {
  "use strict";

  function loadLazyPane(pane) {
    const url = pane.dataset.lazyUrl;
    if (!url || pane.dataset.loaded) {
      return Promise.resolve();
    }
    pane.dataset.loaded = "1";
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then((response) => {
        if (!response.ok) {
          throw Object.assign(new Error(response.statusText), { status: response.status });
        }
        return response.text();
      })
      .then((html) => {
        pane.innerHTML = html; // rendered by our own template
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
        pane.replaceChildren(message);
      });
  }

  document.addEventListener("shown.bs.tab", (event) => {
    const target = event.target.dataset.bsTarget;
    const pane = target ? document.querySelector(target) : null;
    if (!pane || !pane.closest("#viewer-tab-content")) {
      return;
    }
    loadLazyPane(pane);
    history.replaceState(null, "", target);
  });

  function openTabFromHash() {
    const hash = window.location.hash;
    if (!hash.startsWith("#tab-") || typeof bootstrap === "undefined") {
      return;
    }
    const button = document.querySelector(`[data-bs-target="${CSS.escape(hash)}"]`);
    if (button) {
      bootstrap.Tab.getOrCreateInstance(button).show();
    }
  }

  function start() {
    const active = document.querySelector("#viewer-tab-content .tab-pane.active");
    if (active) {
      loadLazyPane(active);
    }
    openTabFromHash();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
