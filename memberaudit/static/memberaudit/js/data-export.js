/*
 * The data export page: renders the user's exports from JSON (first from the page, then from
 * the status endpoint) and polls while an export is still running. Every value is set as
 * text, never as markup.
 */
(function () {
  "use strict";

  const POLL_MS = 2000;
  const table = document.getElementById("data-export-table");
  if (!table) {
    return;
  }
  const body = table.querySelector("tbody");
  const texts = table.dataset;
  const numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);

  function cell(row, text, className) {
    const td = document.createElement("td");
    if (className) {
      td.className = className;
    }
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function progressCell(row, item) {
    const td = cell(row, "");
    const bar = document.createElement("div");
    bar.className = "progress";
    bar.setAttribute("role", "progressbar");
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", "100");
    bar.setAttribute("aria-valuenow", String(item.percent));
    bar.setAttribute("aria-label", item.status_label);
    const fill = document.createElement("div");
    fill.className = "progress-bar";
    if (item.status === "failed") {
      fill.classList.add("bg-danger");
    } else if (item.status === "done") {
      fill.classList.add("bg-success");
    } else {
      fill.classList.add("progress-bar-striped", "progress-bar-animated");
    }
    fill.style.width = `${item.status === "failed" ? 100 : item.percent}%`;
    fill.textContent = item.status === "running" ? `${item.percent}%` : item.status_label;
    bar.appendChild(fill);
    td.appendChild(bar);
    const detail = document.createElement("div");
    detail.className = "small text-body-secondary";
    detail.textContent = texts.textRows
      .replace("%(done)s", numbers.format(item.rows_done))
      .replace("%(total)s", numbers.format(item.rows_total));
    td.appendChild(detail);
  }

  function render(exports) {
    body.replaceChildren();
    if (!exports.length) {
      const row = document.createElement("tr");
      const td = cell(row, texts.textNone, "text-body-secondary");
      td.colSpan = 6;
      body.appendChild(row);
      return;
    }
    for (const item of exports) {
      const row = document.createElement("tr");
      row.dataset.exportId = String(item.id);
      row.dataset.status = item.status;
      cell(row, item.topic);
      cell(row, item.created_at, "text-nowrap");
      progressCell(row, item);
      cell(row, item.file_size, "text-end text-nowrap");
      cell(row, item.expires_at, "text-nowrap ps-3");
      const action = cell(row, "");
      if (item.download_url) {
        const link = document.createElement("a");
        link.className = "btn btn-sm btn-success text-nowrap";
        link.href = item.download_url;
        link.textContent = texts.textDownload;
        action.appendChild(link);
      }
      body.appendChild(row);
    }
  }

  function poll() {
    fetch(texts.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((data) => follow(data.exports))
      .catch(() => window.setTimeout(poll, POLL_MS * 5));
  }

  function follow(exports) {
    render(exports);
    if (exports.some((item) => !item.is_finished)) {
      window.setTimeout(poll, POLL_MS);
    }
  }

  const initial = document.getElementById("data-export-initial");
  follow(initial ? JSON.parse(initial.textContent) : []);
})();
