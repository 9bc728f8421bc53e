// Keeps what a person typed in a form of the signed-in pages when their session has expired: the text
// fields and choices are saved in this tab's sessionStorage when the form is sent; if the server sends the
// browser to the sign-in page instead, the page it comes back to afterwards gets them back.
(function () {
  "use strict";
  var key = "pivgm-work:" + location.pathname;
  var skip = { csrf_token: true, password: true, current_password: true, new_password: true, repeat_password: true };

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (field) {
      return field.name && !skip[field.name] && field.type !== "file" && field.type !== "hidden" &&
        field.type !== "submit" && field.type !== "button";
    });
  }

  function name(index, field) {
    var choice = field.type === "radio" || field.type === "checkbox";
    return index + ":" + field.name + (choice ? ":" + field.value : "");
  }

  function forms() { return document.querySelectorAll("form[method=post]"); }

  document.addEventListener("submit", function (event) {
    var saved = {};
    Array.prototype.forEach.call(forms(), function (form, index) {
      if (form !== event.target) { return; }
      fields(form).forEach(function (field) {
        saved[name(index, field)] = field.type === "radio" || field.type === "checkbox" ? field.checked : field.value;
      });
    });
    try { sessionStorage.setItem(key, JSON.stringify(saved)); } catch (e) { /* storage off: nothing kept */ }
  });

  var text = null;
  try { text = sessionStorage.getItem(key); sessionStorage.removeItem(key); } catch (e) { return; }
  if (!text || document.referrer.indexOf("/login") < 0) { return; }
  var saved = JSON.parse(text);
  Array.prototype.forEach.call(forms(), function (form, index) {
    fields(form).forEach(function (field) {
      var id = name(index, field);
      if (!(id in saved)) { return; }
      if (field.type === "radio" || field.type === "checkbox") { field.checked = saved[id]; }
      else { field.value = saved[id]; }
    });
  });
  var notice = document.querySelector("[data-restored-notice]");
  if (notice) { notice.hidden = false; }
})();
