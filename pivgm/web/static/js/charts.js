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
  var wordsNode = document.getElementById("aria-words");
  var ariaWords = wordsNode ? JSON.parse(wordsNode.textContent) : {};

  // A chart is named by its description (a sentence in the page's language: what is shown, its extremes,
  // its trend), and the roles Vega names in English (axis, legend) are named in the page's language.
  function localiseAria(target, spec) {
    var svg = target.querySelector("svg");
    if (!svg) { return; }
    if (spec.description && svg.getAttribute("aria-label") !== spec.description) {
      svg.setAttribute("aria-label", spec.description);
    }
    [svg].concat(Array.prototype.slice.call(svg.querySelectorAll("[aria-roledescription]"))).forEach(function (node) {
      var word = ariaWords[node.getAttribute("aria-roledescription")];
      if (word && word !== node.getAttribute("aria-roledescription")) { node.setAttribute("aria-roledescription", word); }
      var label = node.getAttribute("aria-label") || "";
      var titled = /^(?:Sub)?[Tt]itle text '([\s\S]*)'$/.exec(label);
      if (titled) { node.setAttribute("aria-label", titled[1]); }
    });
  }

  // Vega redraws (a resize, a period slider) with its own English words: they are renamed again.
  function keepAria(target, spec) {
    localiseAria(target, spec);
    new MutationObserver(function () { localiseAria(target, spec); })
      .observe(target, {subtree: true, childList: true, attributes: true, attributeFilter: ["aria-roledescription", "aria-label"]});
  }

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

  // Draws the charts under ``root``; a chart drawn again (a view swapped in by a filter change) replaces the
  // Vega view it had, which is finalised (its listeners and timers released).
  function draw(root) {
    root.querySelectorAll("script[id^='spec-']").forEach(function (node) {
      var id = node.id.slice("spec-".length);
      var target = document.getElementById("chart-" + id);
      if (!target) { return; }
      if (views[id]) { views[id].finalize(); delete views[id]; }
      var spec = JSON.parse(node.textContent);
      fitTitle(spec, target.clientWidth);
      vegaEmbed(target, spec, {
        // ast: Vega interprets its expressions instead of compiling them with eval (the CSP forbids eval)
        actions: false, renderer: "svg", ast: true, formatLocale: formatLocale, timeFormatLocale: timeFormatLocale
      }).then(function (result) {
        if (!target.isConnected) { result.view.finalize(); return; }  // swapped out while it was drawn
        views[id] = result.view;
        keepAria(target, spec);
        specs[id] = spec;
        target.dispatchEvent(new CustomEvent("pivgm:drawn", {bubbles: true, detail: {id: id, view: result.view, spec: spec}}));
        target.setAttribute("data-rendered-ms", String(Math.round(performance.now())));
        target.setAttribute("data-rendered", "true");
      }).catch(function (error) {
        target.textContent = String(error);
        target.setAttribute("data-rendered", "error");
      });
    });
  }
  draw(document);
  // htmx signals every swap; only the explorer's view (#view-body) holds charts.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id === "view-body") { draw(event.target); }
  });

  // Words longer than a line (the view's address) are cut into pieces, so that no line leaves the image.
  function wrapAll(text, width) {
    var pieces = [];
    text.split(/\s+/).forEach(function (word) {
      while (word.length > width) { pieces.push(word.slice(0, width)); word = word.slice(width); }
      if (word) { pieces.push(word); }
    });
    return wrap(pieces.join(" "), width);
  }

  // An exported image says where its figures come from: the selection and the source in full (never cut
  // mid-sentence), the licence, the address of the view and the day of access. It is drawn from a copy of
  // the spec, at the width of the chart on screen, on the map's current period.
  function exportSpec(id, view, target) {
    var spec = JSON.parse(JSON.stringify(specs[id]));
    var meta = spec.usermeta || {};
    var cite = meta.citation;
    if (!cite || !spec.title) { return null; }
    var pixels = Math.max(480, target.clientWidth || 600);
    var width = Math.floor(pixels / 6.4);
    var address = cite.view.replace(/: \//, ": " + location.origin + "/");
    var day = new Intl.DateTimeFormat(cite.locale, {year: "numeric", month: "long", day: "numeric"}).format(new Date());
    var lines = [];
    (meta.subtitle || []).concat([cite.licence, address, cite.accessed.replace("{date}", day)]).forEach(function (part) {
      if (part) { lines = lines.concat(wrapAll(part, width)); }
    });
    spec.title.subtitle = lines;
    spec.title.text = wrap(typeof spec.title.text === "string" ? spec.title.text : spec.title.text.join(" "), width);
    if (spec.width === "container") { spec.width = pixels - 40; }
    if (spec.params) {
      spec.params.forEach(function (param) {
        try { param.value = view.signal(param.name); } catch (error) { /* not a signal of this view */ }
      });
    }
    return spec;
  }

  function save(href, type) {
    var link = document.createElement("a");
    link.href = href;
    link.download = (document.title.split(" · ")[0] || "chart") + "." + type;
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-export]");
    if (!button) { return; }
    var id = button.getAttribute("data-chart");
    var view = views[id];
    if (!view) { return; }
    var type = button.getAttribute("data-export");
    var scale = type === "png" ? 2 : 1;
    var spec = exportSpec(id, view, document.getElementById("chart-" + id));
    if (!spec) { view.toImageURL(type, scale).then(function (href) { save(href, type); }); return; }
    window.pivgmExported = {type: type, spec: spec};  // what the image is drawn from (read by the tests)
    var holder = document.createElement("div");
    holder.className = "export-holder";
    holder.setAttribute("aria-hidden", "true");
    document.body.appendChild(holder);
    vegaEmbed(holder, spec, {
      actions: false, renderer: "svg", ast: true, formatLocale: formatLocale, timeFormatLocale: timeFormatLocale
    }).then(function (result) {
      return result.view.toImageURL(type, scale).then(function (href) {
        save(href, type);
        result.view.finalize();
      });
    }).finally(function () { holder.remove(); });
  });
})();
