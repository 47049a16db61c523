// The intake form (requests/templates/requests/intake.html): picking a resident, the answered box,
// the form's idempotency token (a UUID made here), and the history entry that makes Back +
// resubmit log one request, not two.
(function () {
  var form = document.getElementById("intake-form");
  var hidden = form.querySelector("input[name=resident]");
  var picked = document.getElementById("picked-resident");
  var finder = document.getElementById("resident-finder");
  var noResident = document.getElementById("no-resident");
  var results = document.getElementById("intake-residents");
  function announce() { if (window.htmx) { htmx.trigger(document.body, "resident-picked"); } }
  if (results) {
    results.addEventListener("click", function (event) {
      var row = event.target.closest("li[data-resident-id]");
      if (!row) { return; }
      event.preventDefault();
      hidden.value = row.dataset.residentId;
      document.getElementById("picked-name").textContent = row.dataset.residentName;
      var phone = row.querySelector(".masked");
      document.getElementById("picked-phone").textContent = phone ? phone.textContent : "";
      var address = row.querySelector(".small");
      document.getElementById("picked-address").textContent = address ? address.textContent : "";
      picked.hidden = false;
      finder.hidden = true;
      if (noResident) { noResident.hidden = true; }
      var anonymous = form.querySelector("input[name=anonymous]");
      if (anonymous) { anonymous.checked = false; }
      remember({resident: {
        id: hidden.value,
        name: row.dataset.residentName,
        phone: document.getElementById("picked-phone").textContent,
        address: document.getElementById("picked-address").textContent
      }});
      announce();
    });
  }
  document.getElementById("change-resident").addEventListener("click", function () {
    hidden.value = "";
    picked.hidden = true;
    finder.hidden = false;
    if (noResident) { noResident.hidden = false; }
    remember({resident: null});
    var box = finder.querySelector("input[type=search]");
    if (box) { box.focus(); }
    announce();
  });
  var answered = form.querySelector("input[name=answered]");
  var answerBox = document.getElementById("answer-box");
  function toggleAnswer() { answerBox.hidden = !answered.checked; }
  answered.addEventListener("change", toggleAnswer);
  toggleAnswer();

  // Back to this form after logging (or a reload) fetches it again with a new token. The history
  // entry keeps the token the form was first shown with, the category and the resident picked, so
  // the form shown again submits that token and the server answers with the request it logged:
  // one request. "Log another request" opens a new entry, so a new token and a new request.
  var token = form.querySelector("input[name=idempotency_token]");
  function kept() { return (history.state && history.state.intake) || null; }
  function remember(changes) {
    var state = Object.assign({}, history.state || {});
    state.intake = Object.assign({token: token.value}, kept() || {}, changes || {});
    try { history.replaceState(state, ""); } catch (error) { /* state too large or blocked: no memory */ }
  }
  function restore() {
    var was = kept();
    if (!was) {
      // A form shown for the first time in this history entry: the browser makes its token (a
      // UUID, checked by the server), so the next request needs no server round trip for one.
      // Without JavaScript the server's token in the page is used.
      if (token.hasAttribute("data-client-token") && window.doorstep && window.doorstep.uuid) {
        token.value = window.doorstep.uuid();
      }
      remember({});
      return;
    }
    token.value = was.token;
    if (was.category) {
      var radio = form.querySelector('input[name=category][value="' + was.category + '"]');
      if (radio && !radio.checked) {
        radio.checked = true;
        radio.dispatchEvent(new Event("change", {bubbles: true}));  // the handler box follows
      }
    }
    if (was.resident && was.resident.id && (!hidden.value || hidden.value === was.resident.id)) {
      hidden.value = was.resident.id;
      document.getElementById("picked-name").textContent = was.resident.name || "";
      document.getElementById("picked-phone").textContent = was.resident.phone || "";
      document.getElementById("picked-address").textContent = was.resident.address || "";
      picked.hidden = false;
      finder.hidden = true;
      if (noResident) { noResident.hidden = true; }
    }
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "category" && event.target.checked) { remember({category: event.target.value}); }
  });
  form.addEventListener("submit", function () { remember({}); });
  restore();
  window.addEventListener("pageshow", restore);  // after the browser refilled the fields, or from bfcache
})();
