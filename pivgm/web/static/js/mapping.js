// The mapping step: changing what a column is, or which column rows are kept by, updates the page at
// once (without this script the "Update" button does the same).
(function () {
  "use strict";
  var form = document.getElementById("mapping-form");
  if (!form) { return; }
  var refresh = form.querySelector("[data-refresh]");
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-role-select]") || target.matches("[data-filter-column]")) { refresh.click(); }
  });
})();
