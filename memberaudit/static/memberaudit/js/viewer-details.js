/*
 * Character viewer: what a click on a row of a server-side table opens.
 *
 * - data-ma-row-detail="<modal id>": fetches the row's detail_url (an HTML partial rendered
 *   by our own templates, e.g. the mail reader or a contract) into the modal.
 * - data-ma-row-children="<modal id>": for rows with a children_url, shows the items inside
 *   (a ship, a container) as a server-side table in the modal; rows there drill further down.
 * - data-ma-row-filter="<input id>" with data-ma-row-filter-field and -label: puts the row's
 *   field into a hidden filter input (its form reloads the table that uses it) and shows the
 *   row's label next to it; data-ma-filter-clear="<input id>" clears it again.
 */
(function () {
  "use strict";

  function rowData(table, tr) {
    const dataTable = window.memberauditTables && window.memberauditTables.get(table);
    return dataTable ? dataTable.row(tr).data() : null;
  }

  function showModal(modal) {
    bootstrap.Modal.getOrCreateInstance(modal).show();
  }

  function showError(container, error) {
    const message = document.createElement("div");
    message.className = "alert alert-danger";
    message.textContent = window.memberauditTables.loadErrorText(error.status);
    container.replaceChildren(message);
  }

  function openDetail(modal, url) {
    const body = modal.querySelector("[data-ma-detail-body]");
    body.textContent = window.memberauditTables.texts().loading || "…";
    showModal(modal);
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then((response) => {
        if (!response.ok) {
          throw Object.assign(new Error(response.statusText), { status: response.status });
        }
        return response.text();
      })
      .then((html) => {
        body.innerHTML = html; // rendered by our own template, mail bodies sanitized there
      })
      .catch((error) => showError(body, error));
  }

  function renderPath(modal) {
    const list = modal.querySelector("[data-ma-children-path]");
    const path = modal.maPath || [];
    list.replaceChildren(
      ...path.map((step, index) => {
        const item = document.createElement("li");
        item.className = "breadcrumb-item";
        if (index === path.length - 1) {
          item.classList.add("active");
          item.textContent = step.name;
        } else {
          const link = document.createElement("a");
          link.href = "#";
          link.textContent = step.name;
          link.addEventListener("click", (event) => {
            event.preventDefault();
            modal.maPath = path.slice(0, index);
            openChildren(modal, step);
          });
          item.append(link);
        }
        return item;
      }),
    );
  }

  function openChildren(modal, step) {
    modal.maPath = [...(modal.maPath || []), step];
    renderPath(modal);
    const template = modal.querySelector("template[data-ma-children-template]");
    const table = template.content.querySelector("table").cloneNode(true);
    table.dataset.maServerTable = step.url;
    modal.querySelector("[data-ma-children-body]").replaceChildren(table);
    showModal(modal);
    window.memberauditTables.init(table);
  }

  function setFilter(input, value, label) {
    input.value = value;
    const display = document.querySelector(`[data-ma-filter-label-for="${CSS.escape(input.id)}"]`);
    if (display) {
      display.textContent = label || display.dataset.maFilterEmpty || "";
    }
    input.form.dispatchEvent(new Event("change"));
  }

  document.addEventListener("click", (event) => {
    const clear = event.target.closest("[data-ma-filter-clear]");
    if (clear) {
      const input = document.getElementById(clear.dataset.maFilterClear);
      if (input) {
        setFilter(input, "", "");
      }
      return;
    }
    const tr = event.target.closest("tbody tr");
    const table = tr ? tr.closest("table[data-ma-server-table]") : null;
    if (!table) {
      return;
    }
    const row = rowData(table, tr);
    if (!row) {
      return;
    }
    if (table.dataset.maRowDetail && row.detail_url) {
      openDetail(document.getElementById(table.dataset.maRowDetail), row.detail_url);
    } else if (table.dataset.maRowChildren && row.children_url) {
      const modal = document.getElementById(table.dataset.maRowChildren);
      if (!table.closest(".modal")) {
        modal.maPath = [];
      }
      openChildren(modal, { name: row.name, url: row.children_url });
    } else if (table.dataset.maRowFilter) {
      const input = document.getElementById(table.dataset.maRowFilter);
      if (input) {
        setFilter(
          input,
          row[table.dataset.maRowFilterField],
          row[table.dataset.maRowFilterLabel],
        );
      }
    }
  });
})();
