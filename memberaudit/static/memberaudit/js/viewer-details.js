/*
 * Character viewer: what a click on a row of a server-side table opens.
 *
 * - data-ma-row-detail="<modal id>": fetches the row's detail_url (an HTML partial rendered
 *   by our own templates, e.g. the mail reader or a contract) into the modal.
 * - data-ma-row-children="<modal id>": for rows with a children_url, shows the items inside
 *   (a ship, a container) as a server-side table in the modal; rows there drill further down.
 * - A table inside [data-ma-drilldown] with data-ma-drill-url="<field>" and
 *   data-ma-drill-label="<field>": a click on a row with that URL replaces the table with a
 *   copy of the container's <template data-ma-drilldown-template> showing that URL, and adds
 *   the row's label to the breadcrumbs ([data-ma-drilldown-path]); a breadcrumb goes back to
 *   its level as it was left (page, order, search).
 * - [data-ma-view-switch] buttons with data-ma-view="<element id>": show that element, hide
 *   the ones of the other buttons, and set up the tables in it.
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

  // --- drill-down with breadcrumbs -------------------------------------------------------

  // The first level is what the page rendered (its breadcrumb too); each level keeps its
  // element when left, so going back shows it as it was.
  function drillPath(container) {
    if (!container.maPath) {
      container.maPath = [{ name: container.dataset.maDrilldownRoot || "…", element: null }];
    }
    return container.maPath;
  }

  function renderDrillPath(container) {
    const list = container.querySelector("[data-ma-drilldown-path]");
    const path = drillPath(container);
    list.replaceChildren(
      ...path.map((step, index) => {
        const item = document.createElement("li");
        item.className = "breadcrumb-item";
        if (index === path.length - 1) {
          item.classList.add("active");
          item.setAttribute("aria-current", "page");
          item.textContent = step.name;
        } else {
          const link = document.createElement("a");
          link.href = "#";
          link.textContent = step.name;
          link.addEventListener("click", (event) => {
            event.preventDefault();
            container.maPath = path.slice(0, index + 1);
            showDrillLevel(container);
          });
          item.append(link);
        }
        return item;
      }),
    );
  }

  function showDrillLevel(container) {
    const path = drillPath(container);
    const step = path[path.length - 1];
    const body = container.querySelector("[data-ma-drilldown-body]");
    if (step.element) {
      body.replaceChildren(step.element);
    } else {
      const template = container.querySelector("template[data-ma-drilldown-template]");
      const table = template.content.querySelector("table").cloneNode(true);
      table.dataset.maServerTable = step.url;
      body.replaceChildren(table);
      window.memberauditTables.init(table);
    }
    renderDrillPath(container);
  }

  function drillDown(container, table, row) {
    const url = row[table.dataset.maDrillUrl];
    if (!url) {
      return false;
    }
    const path = drillPath(container);
    const body = container.querySelector("[data-ma-drilldown-body]");
    path[path.length - 1].element = body.firstElementChild; // DataTables' wrapper
    path.push({ name: row[table.dataset.maDrillLabel], url: url, element: null });
    showDrillLevel(container);
    return true;
  }

  // --- switching between views of a tab ---------------------------------------------------

  function switchView(button) {
    const group = button.closest("[data-ma-view-switch]");
    group.querySelectorAll("[data-ma-view]").forEach((other) => {
      const selected = other === button;
      other.classList.toggle("active", selected);
      other.setAttribute("aria-pressed", String(selected));
      const view = document.getElementById(other.dataset.maView);
      if (view) {
        view.hidden = !selected;
        if (selected) {
          window.memberauditTables.initVisible(view);
        }
      }
    });
  }

  document.addEventListener("click", (event) => {
    const viewButton = event.target.closest("[data-ma-view-switch] [data-ma-view]");
    if (viewButton) {
      switchView(viewButton);
      return;
    }
    const opens = event.target.closest("a.ma-open-row");
    if (!opens && event.target.closest(".dtr-control, td.child")) {
      return; // Responsive's control that shows the row's folded columns
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
    if (opens) {
      event.preventDefault(); // the link only makes the row reachable by keyboard
    }
    const drilldown = table.closest("[data-ma-drilldown]");
    if (drilldown && table.dataset.maDrillUrl) {
      drillDown(drilldown, table, row);
    } else if (table.dataset.maRowDetail && row.detail_url) {
      openDetail(document.getElementById(table.dataset.maRowDetail), row.detail_url);
    } else if (table.dataset.maRowChildren && row.children_url) {
      const modal = document.getElementById(table.dataset.maRowChildren);
      if (!table.closest(".modal")) {
        modal.maPath = [];
      }
      openChildren(modal, { name: row.name, url: row.children_url });
    }
  });
})();
