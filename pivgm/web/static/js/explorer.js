// The explorer's filter panel (search within a codelist, select all or none), sortable tables, and
// copy buttons for the shared link and the embed code. Everything works without it; it only helps.
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
  });

  document.querySelectorAll("[data-select]").forEach(function (button) {
    button.addEventListener("click", function () {
      var list = document.getElementById(button.getAttribute("data-list"));
      var checked = button.getAttribute("data-select") === "all";
      list.querySelectorAll("li").forEach(function (item) {
        if (!item.hidden) { item.querySelector("input").checked = checked; }
      });
    });
  });

  function sortValue(cell) {
    var raw = cell ? cell.getAttribute("data-sort") : "";
    var number = parseFloat(raw);
    return raw !== "" && !isNaN(number) && /^-?[0-9.e+-]+$/i.test(raw) ? number : (raw || "");
  }

  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("button.sort").forEach(function (button) {
      button.addEventListener("click", function () {
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
    });
  });

  // Without a configured public address the server writes site-relative links; the page knows its origin.
  var share = document.getElementById("share-url");
  if (share && share.value.charAt(0) === "/") { share.value = location.origin + share.value; }
  var embed = document.getElementById("embed-code");
  if (embed) { embed.value = embed.value.replace('src="/', 'src="' + location.origin + "/"); }

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
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
  });
})();
