// Draws every chart whose Vega-Lite spec is embedded in the page (script#spec-<id> -> div#chart-<id>),
// with numbers and months in the page's language, and exports a drawn chart as PNG or SVG.
(function () {
  "use strict";
  if (typeof vegaEmbed === "undefined") { return; }
  var formatLocale = JSON.parse(document.getElementById("format-locale").textContent);
  var timeNode = document.getElementById("time-locale");
  var timeFormatLocale = timeNode ? JSON.parse(timeNode.textContent) : undefined;
  var views = {};
  var specs = {};
  window.pivgmViews = views;

  // Chart titles carry the selection and the source (so exported images say what they show); their lines
  // are wrapped to the width the chart gets, so that nothing spills out on a phone.
  function wrap(text, width) {
    var lines = [], line = "";
    text.split(/\s+/).forEach(function (word) {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    if (line) { lines.push(line); }
    return lines;
  }

  function fitTitle(spec, pixels) {
    var parts = spec.usermeta && spec.usermeta.subtitle;
    if (!parts || !spec.title) { return; }
    var width = Math.max(30, Math.floor((pixels || 600) / 6.4));
    var lines = [];
    parts.forEach(function (part, index) {
      var wrapped = wrap(part, width);
      lines = lines.concat(index === parts.length - 1 ? wrapped.slice(0, 2) : wrapped);
    });
    spec.title.subtitle = lines;
    spec.title.text = wrap(spec.title.text, Math.floor(width * 0.8));
  }

  document.querySelectorAll("script[id^='spec-']").forEach(function (node) {
    var id = node.id.slice("spec-".length);
    var target = document.getElementById("chart-" + id);
    if (!target) { return; }
    var spec = JSON.parse(node.textContent);
    fitTitle(spec, target.clientWidth);
    vegaEmbed(target, spec, {
      // ast: Vega interprets its expressions instead of compiling them with eval (the CSP forbids eval)
      actions: false, renderer: "svg", ast: true, formatLocale: formatLocale, timeFormatLocale: timeFormatLocale
    }).then(function (result) {
      views[id] = result.view;
      specs[id] = spec;
      target.dispatchEvent(new CustomEvent("pivgm:drawn", {bubbles: true, detail: {id: id, view: result.view, spec: spec}}));
      target.setAttribute("data-rendered-ms", String(Math.round(performance.now())));
      target.setAttribute("data-rendered", "true");
    }).catch(function (error) {
      target.textContent = String(error);
      target.setAttribute("data-rendered", "error");
    });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-export]");
    if (!button) { return; }
    var view = views[button.getAttribute("data-chart")];
    if (!view) { return; }
    var type = button.getAttribute("data-export");
    view.toImageURL(type, type === "png" ? 2 : 1).then(function (href) {
      var link = document.createElement("a");
      link.href = href;
      link.download = (document.title.split(" · ")[0] || "chart") + "." + type;
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  });
})();
