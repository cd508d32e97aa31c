/*
 * Server-side tables of Member Audit (DataTables 2 with AA's bundles).
 *
 * A table opts in with data-ma-server-table="<JSON URL>"; each <th> names its field in
 * data-ma-data and may set data-ma-render (text, datetime, isk, number, standing, bool, list,
 * character, asset), data-ma-orderable="false" and data-ma-visible="false" (own names: DataTables
 * reads plain data-render etc. itself and would replace the renderers set here).
 * data-order sets the initial order, data-filter-form the id of a form whose fields are sent with every request.
 * The JSON rows are plain data; every value is escaped here before it reaches the page.
 * Tables in hidden tabs are set up when their tab is first shown.
 * Texts come from the data attributes of #memberaudit-table-texts (server_tables_texts.html),
 * among them the URL of Alliance Auth's DataTables translation for the user's language.
 */
(function () {
  "use strict";

  function texts() {
    const element = document.getElementById("memberaudit-table-texts");
    return element ? element.dataset : {};
  }

  // What to show when a part of the page could not be loaded: the HTTP status when the server
  // answered, else that loading failed (the browser's own message would be in English).
  function loadErrorText(status) {
    const text = status ? texts().httpError : texts().loadFailed;
    return text ? text.replace("__STATUS__", status) : `HTTP ${status || "-"}`;
  }

  function escapeHtml(value) {
    return String(value ?? "")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&#39;");
  }

  function formatNumber(value, decimals) {
    if (value === null || value === undefined || value === "") {
      return "";
    }
    return Number(value).toLocaleString(undefined, {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    });
  }

  const renderers = {
    text: (value) => escapeHtml(value),
    datetime: (value) => (value ? escapeHtml(String(value).slice(0, 16).replace("T", " ")) : ""),
    number: (value) => formatNumber(value, 0),
    isk: (value) => {
      if (value === null || value === undefined) {
        return "";
      }
      const css = Number(value) < 0 ? "text-danger" : "";
      return `<span class="${css}">${formatNumber(value, 2)}</span>`;
    },
    standing: (value) => {
      const number = Number(value);
      const css = number > 0 ? "text-primary" : number < 0 ? "text-danger" : "";
      return `<span class="${css}">${number > 0 ? "+" : ""}${number.toFixed(1)}</span>`;
    },
    bool: (value) => {
      if (value === null || value === undefined) {
        return escapeHtml(texts().unknown || "?");
      }
      return escapeHtml(value ? texts().yes || "yes" : texts().no || "no");
    },
    list: (value) =>
      (value || [])
        .map((item) => `<span class="badge text-bg-secondary me-1">${escapeHtml(item)}</span>`)
        .join(""),
    character: (value, row) => {
      const portrait = `https://images.evetech.net/characters/${Number(row.character_id)}/portrait?size=32`;
      return (
        `<img src="${portrait}" alt="" width="24" height="24" class="rounded me-1">` +
        `<a href="${escapeHtml(row.url)}">${escapeHtml(value)}</a>`
      );
    },
    asset: (value, row) =>
      row.children_url
        ? `<i class="fa-solid fa-box-open me-1" aria-hidden="true"></i>${escapeHtml(value)}`
        : escapeHtml(value),
  };

  function columnsOf(table) {
    return Array.from(table.querySelectorAll("thead th")).map((th) => {
      const render = renderers[th.dataset.maRender || "text"] || renderers.text;
      return {
        data: th.dataset.maData,
        orderable: th.dataset.maOrderable !== "false",
        visible: th.dataset.maVisible !== "false",
        className: th.className,
        render: (data, type, row) => (type === "display" ? render(data, row) : data),
      };
    });
  }

  function init(table) {
    if (table.dataset.maInitialized) {
      return;
    }
    table.dataset.maInitialized = "1";
    const form = table.dataset.filterForm
      ? document.getElementById(table.dataset.filterForm)
      : null;
    const languageUrl = texts().datatablesLanguage;
    const dataTable = new DataTable(table, {
      ...(languageUrl ? { language: { url: languageUrl } } : {}),
      serverSide: true,
      processing: true,
      searchDelay: 400,
      pageLength: 50,
      lengthMenu: [25, 50, 100, 250],
      order: table.dataset.order ? JSON.parse(table.dataset.order) : [[0, "asc"]],
      columns: columnsOf(table),
      ajax: {
        url: table.dataset.maServerTable,
        data: (params) => {
          if (form) {
            new FormData(form).forEach((value, name) => {
              params[name] = value;
            });
          }
        },
      },
    });
    table.maDataTable = dataTable;
    if (form) {
      form.addEventListener("change", () => dataTable.ajax.reload());
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        dataTable.ajax.reload();
      });
    }
  }

  function initVisible(root) {
    root.querySelectorAll("table[data-ma-server-table]").forEach((table) => {
      if (table.offsetParent !== null) {
        init(table);
      }
    });
  }

  window.memberauditTables = {
    texts: texts,
    loadErrorText: loadErrorText,
    init: init,
    initVisible: initVisible,
    get: (table) => table.maDataTable,
  };

  document.addEventListener("shown.bs.tab", (event) => {
    const pane = document.querySelector(event.target.dataset.bsTarget);
    if (pane) {
      initVisible(pane);
    }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => initVisible(document));
  } else {
    initVisible(document);
  }
})();
