// Draws every chart whose Vega-Lite spec is embedded in the page (script#spec-<id> -> div#chart-<id>).
(function () {
  "use strict";
  if (typeof vegaEmbed === "undefined") { return; }
  var formatLocale = JSON.parse(document.getElementById("format-locale").textContent);
  document.querySelectorAll("script[id^='spec-']").forEach(function (node) {
    var id = node.id.slice("spec-".length);
    var target = document.getElementById("chart-" + id);
    if (!target) { return; }
    var spec = JSON.parse(node.textContent);
    vegaEmbed(target, spec, { actions: false, renderer: "svg", formatLocale: formatLocale })
      .then(function () { target.setAttribute("data-rendered", "true"); })
      .catch(function (error) { target.textContent = String(error); });
  });
})();
