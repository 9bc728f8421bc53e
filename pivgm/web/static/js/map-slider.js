// The period slider of a map: a map's spec lists its periods (usermeta.slider); once the map is drawn, a
// range input under it sets the "slot" signal, and the map redraws that period. Without JavaScript the map
// shows its default period (the whole range, or the latest figure) and the table lists the figures.
(function () {
  "use strict";
  document.addEventListener("pivgm:drawn", function (event) {
    var slider = event.detail.spec.usermeta && event.detail.spec.usermeta.slider;
    if (!slider || !slider.slots || slider.slots.length < 2) { return; }
    var view = event.detail.view;
    var chart = event.target;
    var id = "slider-" + event.detail.id;
    var box = document.createElement("div");
    box.className = "map-slider";
    var label = document.createElement("label");
    label.setAttribute("for", id);
    label.textContent = slider.label + ": ";
    var shown = document.createElement("output");
    shown.setAttribute("for", id);
    shown.id = id + "-period";
    label.appendChild(shown);
    var input = document.createElement("input");
    input.type = "range";
    input.id = id;
    input.min = "0";
    input.max = String(slider.slots.length - 1);
    input.step = "1";
    input.value = String(slider.value);
    function show(position) {
      shown.textContent = slider.slots[position];
      input.setAttribute("aria-valuetext", slider.slots[position]);
      chart.setAttribute("data-period", slider.slots[position]);
    }
    input.addEventListener("input", function () {
      var position = parseInt(input.value, 10);
      show(position);
      view.signal("slot", position).runAsync().then(function () {
        chart.setAttribute("data-slot", String(position));
      });
    });
    show(slider.value);
    chart.setAttribute("data-slot", String(slider.value));
    box.appendChild(label);
    box.appendChild(input);
    chart.parentNode.insertBefore(box, chart.nextSibling);
  });
})();
