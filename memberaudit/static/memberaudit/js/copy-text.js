/*
 * Copy buttons: a button with data-ma-copy="<element id>" copies that element's text (a
 * textarea's value) to the clipboard, e.g. missing skills for EVE's skill plan import.
 * Works for content loaded later too (one listener on the document).
 */
(function () {
  "use strict";

  function fallbackCopy(text) {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
    return Promise.resolve();
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-ma-copy]");
    if (!button) {
      return;
    }
    const source = document.getElementById(button.dataset.maCopy);
    if (!source) {
      return;
    }
    const text = "value" in source ? source.value : source.textContent;
    const copy = navigator.clipboard && window.isSecureContext
      ? navigator.clipboard.writeText(text)
      : fallbackCopy(text);
    copy.then(() => {
      const label = button.textContent;
      button.textContent = button.dataset.maCopied || label;
      window.setTimeout(() => {
        button.textContent = label;
      }, 1500);
    });
  });
})();
