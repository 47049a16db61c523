// Small behaviours every page may use, declared in the HTML with data- attributes so that the
// Content-Security-Policy can forbid inline scripts and inline styles (no onclick=, no style=).
//   <select data-autosubmit>          submits its form when changed
//   <button data-print>               prints the page
//   <form data-confirm="question">    asks before submitting
//   <div data-width="40">             width: 40% (a progress bar; also in fragments htmx swaps in)
// and doorstep.uuid(): a random (version 4) UUID, an idempotency token the browser makes itself.
(function () {
  "use strict";
  // crypto.randomUUID exists only on https and localhost; getRandomValues everywhere.
  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") { return window.crypto.randomUUID(); }
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }
  window.doorstep = Object.assign(window.doorstep || {}, {uuid: uuid});
  // Tells the server this browser makes its own form tokens: the intake form may then be answered
  // "not modified" (requests/views/intake_revalidation.py). Gone when the browser closes.
  try {
    uuid();
    document.cookie = "doorstep_js=1; path=/; SameSite=Lax" + (location.protocol === "https:" ? "; Secure" : "");
  } catch (error) { /* no crypto: the server's tokens, and a page drawn each time */ }
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
