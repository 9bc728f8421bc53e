// The explorer's filter panel (search within a codelist, select all or none), sortable tables, copy buttons
// for the shared link and the embed code, and the in-place update of the view when a filter changes (htmx
// asks the same address for the view alone, swaps it into #view-body and pushes the address). Everything
// works without it; it only helps.
(function () {
  "use strict";
  var messagesNode = document.getElementById("explorer-messages");
  var messages = messagesNode ? JSON.parse(messagesNode.textContent) : {};

  // On a phone the filters start folded, so that the chart comes first.
  var panel = document.getElementById("filters-panel");
  if (panel && window.matchMedia && window.matchMedia("(max-width: 960px)").matches) {
    panel.removeAttribute("open");
  }

  function normalise(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  document.querySelectorAll(".code-search").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("data-list"));
    input.addEventListener("input", function () {
      var wanted = normalise(input.value.trim());
      list.querySelectorAll("li").forEach(function (item) {
        item.hidden = wanted !== "" && normalise(item.textContent).indexOf(wanted) < 0;
      });
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
    // Searching a list changes no filter: the view is not asked for again.
    input.addEventListener("change", function (event) { event.stopPropagation(); });
  });

  document.querySelectorAll("[data-select]").forEach(function (button) {
    button.addEventListener("click", function () {
      var list = document.getElementById(button.getAttribute("data-list"));
      var checked = button.getAttribute("data-select") === "all";
      list.querySelectorAll("li").forEach(function (item) {
        if (!item.hidden) { item.querySelector("input").checked = checked; }
      });
      list.dispatchEvent(new Event("change", {bubbles: true}));  // one update for the whole list
    });
  });

  function sortValue(cell) {
    var raw = cell ? cell.getAttribute("data-sort") : "";
    var number = parseFloat(raw);
    return raw !== "" && !isNaN(number) && /^-?[0-9.e+-]+$/i.test(raw) ? number : (raw || "");
  }

  // Listened to on the document, so that tables swapped in by a filter change sort too.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("table.sortable button.sort");
    if (!button) { return; }
    var table = button.closest("table");
    var column = parseInt(button.getAttribute("data-column"), 10);
    var th = button.closest("th");
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th[aria-sort]").forEach(function (other) { other.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = sortValue(a.cells[column]), y = sortValue(b.cells[column]);
      if (x === "" && y !== "") { return 1; }
      if (y === "" && x !== "") { return -1; }
      var order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  });

  // Without a configured public address the server writes site-relative links; the page knows its origin.
  function completeLinks() {
    var share = document.getElementById("share-url");
    if (share && share.value.charAt(0) === "/") { share.value = location.origin + share.value; }
    var embed = document.getElementById("embed-code");
    if (embed) { embed.value = embed.value.replace('src="/', 'src="' + location.origin + "/"); }
  }
  completeLinks();

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) { return; }
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.querySelector(".copy-status");
    field.select();
    var done = function () { if (status) { status.textContent = messages.copied || "OK"; } };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });

  // The in-place update (htmx): the view is marked busy while it is asked for; the options' counts follow
  // the new selection; a focus inside the old view moves to the new one; if the server cannot answer with a view (a bad code typed, a lost connection),
  // the form is sent as without JavaScript, and the page that comes back explains.
  var form = document.getElementById("explorer-form");
  var body = document.getElementById("view-body");
  if (!form || !body || typeof htmx === "undefined") { return; }
  var focusInside = false;
  form.addEventListener("htmx:beforeRequest", function () { body.setAttribute("aria-busy", "true"); });
  form.addEventListener("htmx:afterRequest", function () { body.removeAttribute("aria-busy"); });
  body.addEventListener("htmx:beforeSwap", function () { focusInside = body.contains(document.activeElement); });
  // The new view brings the options' counts for its selection: each is copied onto the option it names.
  function copyCounts() {
    var holder = document.getElementById("filter-counts");
    if (!holder) { return; }
    holder.querySelectorAll("[data-count]").forEach(function (fresh) {
      var count = document.getElementById(fresh.getAttribute("data-count"));
      if (count) { count.textContent = fresh.textContent; count.className = fresh.className; }
    });
    holder.remove();
  }
  body.addEventListener("htmx:afterSwap", function (event) {
    if (event.target !== body) { return; }
    copyCounts();
    completeLinks();
    var shown = document.getElementById("view-shown");
    if (focusInside && shown) { shown.focus(); }
  });
  function fallBack() { form.submit(); }
  form.addEventListener("htmx:responseError", fallBack);
  form.addEventListener("htmx:sendError", fallBack);
})();
