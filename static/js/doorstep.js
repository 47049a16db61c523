// Small behaviours every page may use, declared in the HTML with data- attributes so that the
// Content-Security-Policy can forbid inline scripts and inline styles (no onclick=, no style=).
//   <select data-autosubmit>          submits its form when changed
//   <button data-print>               prints the page
//   <form data-confirm="question">    asks before submitting
//   <div data-width="40">             width: 40% (a progress bar; also in fragments htmx swaps in)
(function () {
  "use strict";
  function widths(root) {
    root.querySelectorAll("[data-width]").forEach(function (element) {
      element.style.width = Math.max(0, Math.min(100, Number(element.dataset.width) || 0)) + "%";
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]") && event.target.form) { event.target.form.submit(); }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) { event.preventDefault(); }
  });
  document.addEventListener("DOMContentLoaded", function () { widths(document); });
  document.addEventListener("htmx:load", function (event) { widths(event.target); });
})();
