/*
 * Server-side tables of Member Audit (DataTables 2 with AA's bundles and its Responsive
 * extension).
 *
 * A table opts in with data-ma-server-table="<JSON URL>" and data-ma-table="<spec>", the JSON
 * the server declares for it (memberaudit/tables.py): its columns (data, title, orderable,
 * searchable, render, priority, align, details) and first order. This file keeps no list of
 * columns of its own. Renderers: text, datetime, number, percent, isk, standing, bool, list,
 * character, asset, place (a link to the items there), share_end (a finder share's end),
 * loss (kill or loss), pilots ([{name, ours}]), killboard (an https link), sentence (text
 * parts with https links, or a raw text), duration (seconds left), badge ({text, tone}, a
 * coloured label; empty for none), link ({text, url}, a page of this site or a web page). Narrow panels fold the
 * columns with the highest priority numbers into the row's details (Responsive); "details"
 * columns always show there. Pictures (portraits, type icons) come with the rows as portrait_url/icon_url,
 * from the configured image server.
 * data-filter-form names a form whose fields are sent with every request.
 * The JSON rows are plain data; every value is escaped here before it reaches the page. Text
 * stays on one line, cut with an ellipsis, the full text in its tooltip; names are isolated
 * (dir="auto"), so right-to-left characters in them never reorder the page around them.
 * Dates show in EVE time (UTC) as YYYY-MM-DD HH:MM.
 * Tables in hidden tabs are set up when their tab is first shown.
 * A searched page may count its matches only so far (recordsFilteredMore): the table's info
 * then says "more than" that many. How many rows a table has without a search is kept per
 * state of its filter form as the server last counted it; a search sent while it is known says
 * so (total_known=1), and the server, which then leaves recordsTotal empty, need not count
 * every row again for the "filtered from" figure.
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

  // A value on one line: cut with an ellipsis by CSS, the full text on hover, isolated from
  // the text around it (right-to-left names).
  function cell(text, css) {
    const value = escapeHtml(text);
    return `<span class="ma-cell${css ? ` ${css}` : ""}" dir="auto" title="${value}">${value}</span>`;
  }

  function pad(number) {
    return String(number).padStart(2, "0");
  }

  // EVE time is UTC: one format everywhere, whatever the browser's time zone.
  function formatEveTime(value) {
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) {
      return "";
    }
    return (
      `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
      `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`
    );
  }

  // Links from row data open only web pages.
  function safeUrl(value) {
    return typeof value === "string" && /^https:\/\//.test(value);
  }

  const BADGE_TONES = ["primary", "secondary", "success", "danger", "warning", "info"];

  const renderers = {
    text: (value) => cell(value),
    badge: (value) => {
      if (!value || !value.text) {
        return "";
      }
      const tone = BADGE_TONES.includes(value.tone) ? value.tone : "secondary";
      return `<span class="badge text-bg-${tone}">${escapeHtml(value.text)}</span>`;
    },
    // a page of this site (a path) or a web page
    link: (value) => {
      if (!value || !value.url) {
        return "";
      }
      const url = String(value.url);
      if (!(safeUrl(url) || (url.startsWith("/") && !url.startsWith("//")))) {
        return cell(value.text);
      }
      return `<a href="${escapeHtml(url)}">${escapeHtml(value.text)}</a>`;
    },
    datetime: (value) => (value ? `<span class="ma-nowrap">${formatEveTime(value)}</span>` : ""),
    number: (value) => `<span class="ma-nowrap">${formatNumber(value, 0)}</span>`,
    percent: (value) => `<span class="ma-nowrap">${formatNumber(value, 1)}</span>`,
    isk: (value) => {
      if (value === null || value === undefined) {
        return "";
      }
      const css = Number(value) < 0 ? "text-danger" : "";
      return `<span class="ma-nowrap ${css}">${formatNumber(value, 2)}</span>`;
    },
    standing: (value) => {
      // the game's colours: dark blue from +5, light blue above 0, orange below 0, red to -5
      const number = Number(value);
      const css =
        number >= 5
          ? "ma-standing-excellent"
          : number > 0
            ? "ma-standing-good"
            : number <= -5
              ? "ma-standing-terrible"
              : number < 0
                ? "ma-standing-bad"
                : "ma-standing-neutral";
      return `<span class="${css}">${number > 0 ? "+" : ""}${number.toFixed(2)}</span>`;
    },
    bool: (value) => {
      if (value === null || value === undefined) {
        return escapeHtml(texts().unknown || "?");
      }
      return escapeHtml(value ? texts().yes || "yes" : texts().no || "no");
    },
    list: (value) => {
      const items = value || [];
      const badges = items
        .map((item) => `<bdi class="badge text-bg-secondary me-1">${escapeHtml(item)}</bdi>`)
        .join("");
      return `<span class="ma-cell" title="${escapeHtml(items.join(", "))}">${badges}</span>`;
    },
    // when a finder row's share ends: empty when not shared, "until revoked" without an end
    share_end: (value, row) => {
      if (!row.is_shared) {
        return "";
      }
      return value
        ? `<span class="ma-nowrap">${formatEveTime(value)}</span>`
        : escapeHtml(texts().untilRevoked || "until revoked");
    },
    character: (value, row) => {
      // image URLs come with the row (memberaudit.images, the configured image server)
      const portrait = row.portrait_url
        ? `<img src="${escapeHtml(row.portrait_url)}" alt="" width="24" height="24" class="rounded me-1">`
        : "";
      return (
        `<span class="ma-cell" title="${escapeHtml(value)}">${portrait}` +
        `<a href="${escapeHtml(row.url)}"><bdi>${escapeHtml(value)}</bdi></a></span>`
      );
    },
    // an item; one with contents (a ship, a container) is a link that opens them
    asset: (value, row) => {
      const icon = row.icon_url
        ? `<img src="${escapeHtml(row.icon_url)}" alt="" width="24" height="24" class="me-1 eve-icon">`
        : "";
      if (!row.children_url) {
        return `<span class="ma-cell" title="${escapeHtml(value)}">${icon}<bdi>${escapeHtml(value)}</bdi></span>`;
      }
      return (
        `<span class="ma-cell" title="${escapeHtml(value)}">${icon}<a href="#" class="ma-open-row">` +
        `<i class="fa-solid fa-box-open me-1" aria-hidden="true"></i>` +
        `<bdi>${escapeHtml(value)}</bdi></a></span>`
      );
    },
    // a place of the assets: a link to the items there; unknown places are muted
    place: (value, row) => {
      const css = row.is_unknown ? "ma-open-row fst-italic text-body-secondary" : "ma-open-row";
      const icon = row.is_unknown
        ? '<i class="fa-solid fa-circle-question me-1" aria-hidden="true"></i>'
        : "";
      return (
        `<span class="ma-cell" title="${escapeHtml(value)}">` +
        `<a href="#" class="${css}">${icon}<bdi>${escapeHtml(value)}</bdi></a></span>`
      );
    },
    loss: (value) =>
      value
        ? `<span class="badge text-bg-danger">${escapeHtml(texts().loss || "loss")}</span>`
        : `<span class="badge text-bg-success">${escapeHtml(texts().kill || "kill")}</span>`,
    // [{name, ours}]: pilots, those of our corporation or alliance highlighted
    pilots: (value) => {
      const pilots = value || [];
      const badges = pilots
        .map((pilot) =>
          pilot.ours
            ? `<bdi class="badge text-bg-primary me-1" title="${escapeHtml(texts().ours)}">${escapeHtml(pilot.name)}</bdi>`
            : `<bdi class="badge text-bg-secondary me-1">${escapeHtml(pilot.name)}</bdi>`,
        )
        .join("");
      const names = pilots.map((pilot) => pilot.name).join(", ");
      return `<span class="ma-cell" title="${escapeHtml(names)}">${badges}</span>`;
    },
    killboard: (value) =>
      safeUrl(value)
        ? `<a href="${escapeHtml(value)}" target="_blank" rel="noopener noreferrer" title="${escapeHtml(texts().killboard)}"><i class="fa-solid fa-arrow-up-right-from-square" aria-hidden="true"></i><span class="visually-hidden">${escapeHtml(texts().killboard)}</span></a>`
        : "",
    // A sentence as parts [{text, url?}], or a raw text shown as it is (escaped); on one line,
    // the whole text on hover and in the row's details
    sentence: (value) => {
      if (!Array.isArray(value)) {
        return cell(value, "font-monospace small");
      }
      const html = value
        .map((part) =>
          safeUrl(part.url)
            ? `<a href="${escapeHtml(part.url)}" target="_blank" rel="noopener noreferrer">${escapeHtml(part.text)}</a>`
            : escapeHtml(part.text),
        )
        .join("");
      const text = value.map((part) => part.text).join("");
      return `<span class="ma-cell" dir="auto" title="${escapeHtml(text)}">${html}</span>`;
    },
    duration: (value) => {
      if (value === null || value === undefined) {
        return "";
      }
      const seconds = Math.max(0, Number(value));
      const days = Math.floor(seconds / 86400);
      const hours = Math.floor((seconds % 86400) / 3600);
      const minutes = Math.floor((seconds % 3600) / 60);
      const text = days
        ? (texts().daysHours || "__D__ d __H__ h").replace("__D__", days).replace("__H__", hours)
        : (texts().hoursMinutes || "__H__ h __M__ min")
            .replace("__H__", hours)
            .replace("__M__", minutes);
      return `<span class="ma-nowrap">${escapeHtml(text)}</span>`;
    },
  };

  function specOf(table) {
    try {
      return JSON.parse(table.dataset.maTable || "{}");
    } catch (error) {
      return {};
    }
  }

  function columnsOf(spec) {
    return (spec.columns || []).map((column) => {
      const render = renderers[column.render] || renderers.text;
      const classes = [column.align === "end" ? "text-end" : "text-start"];
      if (column.details) {
        classes.push("none"); // Responsive: always in the row's details
      }
      return {
        data: column.data,
        name: column.data,
        title: escapeHtml(column.title),
        orderable: Boolean(column.orderable),
        searchable: Boolean(column.searchable),
        responsivePriority: column.priority || 5,
        className: classes.join(" "),
        render: (data, type, row) => (type === "display" ? render(data, row) : data),
      };
    });
  }

  // A search of a large table counts its matches only so far (recordsFilteredMore): "more
  // than" that many, instead of DataTables' exact count.
  function infoOf(settings, start, end, total, shown) {
    const json = settings.json;
    const text = texts().moreThan;
    if (!json || !json.recordsFilteredMore || !text) {
      return shown;
    }
    return text
      .replace("__START__", formatNumber(start, 0))
      .replace("__END__", formatNumber(end, 0))
      .replace("__FOUND__", formatNumber(json.recordsFiltered, 0))
      .replace("__TOTAL__", formatNumber(total, 0));
  }

  // How many rows the table has without a search, per state of its filter form, as the
  // server last counted them. ask() marks a searched request when that is known; read() gives
  // a page's total: the server's count, kept, or the kept one when the server left it empty.
  function totalsOf(form) {
    const totals = new Map();
    const askedWith = new Map(); // draw -> the state of the form the request was sent with
    const stateOf = () => (form ? new URLSearchParams(new FormData(form)).toString() : "");
    return {
      ask(params) {
        const state = stateOf();
        askedWith.set(params.draw, state);
        if (params.search && params.search.value && totals.has(state)) {
          params.total_known = "1";
        }
      },
      read(json) {
        const state = askedWith.get(json.draw);
        askedWith.delete(json.draw);
        if (typeof json.recordsTotal === "number") {
          totals.set(state, json.recordsTotal);
          return json.recordsTotal;
        }
        return totals.get(state) ?? json.recordsFiltered;
      },
    };
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
    const spec = specOf(table);
    const totals = totalsOf(form);
    table.classList.add("ma-table");
    const dataTable = new DataTable(table, {
      ...(languageUrl ? { language: { url: languageUrl } } : {}),
      serverSide: true,
      processing: true,
      searchDelay: 400,
      pageLength: 50,
      lengthMenu: [25, 50, 100, 250],
      autoWidth: false,
      responsive: { details: { type: "inline", target: "td.dtr-control" } },
      order: spec.order || [],
      columns: columnsOf(spec),
      infoCallback: (settings, start, end, max, total, shown) =>
        infoOf(settings, start, end, max, shown),
      ajax: {
        url: table.dataset.maServerTable,
        data: (params) => {
          if (form) {
            new FormData(form).forEach((value, name) => {
              params[name] = value;
            });
          }
          totals.ask(params);
        },
        dataSrc: { data: "data", recordsTotal: (json) => totals.read(json) },
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
      if (table.offsetParent === null) {
        return;
      }
      if (table.maDataTable) {
        // set up while its panel had another width: fit the columns again
        const dataTable = table.maDataTable.columns.adjust();
        if (dataTable.responsive) {
          dataTable.responsive.recalc();
        }
      } else {
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
