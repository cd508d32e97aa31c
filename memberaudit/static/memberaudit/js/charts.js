/*
 * Charts of the character viewer, drawn with Alliance Auth's bundled Chart.js.
 *
 * A chart opts in with <canvas data-ma-chart="<JSON URL>">; the JSON holds plain data:
 * kind ("line" or "bar"), stacked, labels and datasets ({label, data, stack?, color?,
 * pointRadius?}).
 * A chart without data is replaced by the canvas's data-ma-empty-text.
 * Charts in hidden tabs are drawn when their tab is first shown; canvases that arrive later
 * (tabs loaded when opened) are drawn when they become visible.
 */
(function () {
  "use strict";

  const COLORS = ["#0d6efd", "#dc3545", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#6c757d",
    "#d63384", "#ffc107", "#0dcaf0"];

  function draw(canvas) {
    if (canvas.dataset.maDrawn || typeof Chart === "undefined") {
      return;
    }
    canvas.dataset.maDrawn = "1";
    fetch(canvas.dataset.maChart, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => {
        if (!response.ok) {
          throw Object.assign(new Error(response.statusText), { status: response.status });
        }
        return response.json();
      })
      .then((data) => {
        if (!data.labels.length) {
          const empty = document.createElement("p");
          empty.className = "ma-chart-empty text-body-secondary";
          empty.textContent = canvas.dataset.maEmptyText || "";
          canvas.replaceWith(empty);
          return;
        }
        canvas.maChart = new Chart(canvas, {
          type: data.kind,
          data: {
            labels: data.labels,
            datasets: data.datasets.map((dataset, index) => ({
              ...dataset,
              borderColor: dataset.color || COLORS[index % COLORS.length],
              backgroundColor: dataset.color || COLORS[index % COLORS.length],
              pointRadius: dataset.pointRadius ?? (data.kind === "line" ? 0 : undefined),
            })),
          },
          options: {
            animation: false,
            maintainAspectRatio: false,
            plugins: { legend: { display: data.datasets.length > 1 } },
            scales: data.stacked ? { x: { stacked: true }, y: { stacked: true } } : {},
          },
        });
        canvas.dataset.maReady = "1";
      })
      .catch((error) => {
        delete canvas.dataset.maDrawn;
        const message = document.createElement("div");
        message.className = "alert alert-danger";
        message.textContent = window.memberauditTables
          ? window.memberauditTables.loadErrorText(error.status)
          : String(error);
        canvas.replaceWith(message);
      });
  }

  function drawVisible(root) {
    root.querySelectorAll("canvas[data-ma-chart]").forEach((canvas) => {
      if (canvas.offsetParent !== null) {
        draw(canvas);
      }
    });
  }

  function start() {
    drawVisible(document);
    document.addEventListener("shown.bs.tab", () => drawVisible(document));
    const content = document.getElementById("viewer-tab-content");
    if (content) {
      new MutationObserver(() => drawVisible(content)).observe(content, {
        childList: true,
        subtree: true,
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
