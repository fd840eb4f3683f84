/* caltrace UI: a readable notice when an htmx request fails (texts come from the page, translated),
   and focus on the new content after an action replaced the main region. */
(function () {
  "use strict";

  function box() { return document.getElementById("client-error"); }

  function show(text) {
    var el = box();
    if (!el) { return; }
    el.textContent = text;
    el.hidden = false;
  }

  document.addEventListener("htmx:beforeRequest", function () {
    var el = box();
    if (el) { el.hidden = true; }
  });

  document.addEventListener("htmx:responseError", function (evt) {
    var el = box();
    var status = evt.detail && evt.detail.xhr ? String(evt.detail.xhr.status) : "";
    if (el) { show((el.dataset.responseError || "").replace("{status}", status)); }
  });

  document.addEventListener("htmx:afterSettle", function (evt) {
    var target = evt.detail && evt.detail.target;
    if (target && target.id === "main") {
      var main = document.getElementById("main");
      if (main) { main.focus(); }
    }
  });

  document.addEventListener("htmx:sendError", function () {
    var el = box();
    if (el) { show(el.dataset.sendError || ""); }
  });
})();
