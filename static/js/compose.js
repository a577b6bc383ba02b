// Live remaining-characters count for the compose form (the server renders the first value).
(function () {
  "use strict";
  function update(form) {
    var text = form.querySelector("textarea[data-max-chars]");
    var out = form.querySelector("output");
    if (!text || !out) return;
    var cw = form.querySelector("input[name=spoiler_text]");
    var used = Array.from(text.value).length + (cw ? Array.from(cw.value).length : 0);
    out.textContent = String(Number(text.dataset.maxChars) - used);
  }
  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form.compose");
    if (form) update(form);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target;
    if (form.id === "compose" && event.detail.successful && event.detail.xhr.status === 200) {
      form.reset();
      update(form);
    }
  });
})();
