// Draws the dashboard's charts from the JSON the page carries (no inline script: CSP-friendly).
// Each chart's numbers are also in the table beside it.
(function () {
  "use strict";
  var node = document.getElementById("dashboard-data");
  if (!node || typeof Chart === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var common = { responsive: true, maintainAspectRatio: false, animation: false };

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { new Chart(canvas, config); }
  }

  draw("chart-per-day", {
    type: "line",
    data: { labels: data.per_day.labels, datasets: [
      { label: data.per_day.names[0], data: data.per_day.logged, borderColor: "#0d6efd" },
      { label: data.per_day.names[1], data: data.per_day.closed, borderColor: "#198754" }
    ] },
    options: common
  });
  draw("chart-status", {
    type: "bar",
    data: { labels: data.status_now.labels, datasets: [{ label: "", data: data.status_now.values, backgroundColor: "#0d6efd" }] },
    options: Object.assign({ plugins: { legend: { display: false } } }, common)
  });
  draw("chart-category", {
    type: "bar",
    data: { labels: data.by_category.labels, datasets: [{ label: "", data: data.by_category.values, backgroundColor: "#6f42c1" }] },
    options: Object.assign({ indexAxis: "y", plugins: { legend: { display: false } } }, common)
  });
  draw("chart-grid", {
    type: "bar",
    data: { labels: data.by_grid.labels, datasets: [{ label: "", data: data.by_grid.values, backgroundColor: "#fd7e14" }] },
    options: Object.assign({ indexAxis: "y", plugins: { legend: { display: false } } }, common)
  });
  draw("chart-workload", {
    type: "bar",
    data: { labels: data.workload.labels, datasets: [
      { label: data.workload.names[0], data: data.workload.open, backgroundColor: "#0d6efd" },
      { label: data.workload.names[1], data: data.workload.due_soon, backgroundColor: "#ffc107" },
      { label: data.workload.names[2], data: data.workload.overdue, backgroundColor: "#dc3545" }
    ] },
    options: Object.assign({ scales: { x: { stacked: true }, y: { stacked: true } } }, common)
  });
})();
