// Insert a knowledge-base link into the desk reply box (kb/reply_suggest.html).
(function () {
  "use strict";
  if (window.oknoKbLinks) return;
  window.oknoKbLinks = true;
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".kb-insert-link");
    if (!button) return;
    var box = button.closest("[data-kb-target]");
    var target = box && document.getElementById(box.getAttribute("data-kb-target"));
    if (!target) return;
    var text = button.getAttribute("data-title") + ": " + button.getAttribute("data-url");
    var start = target.selectionStart || target.value.length;
    var before = target.value.slice(0, start);
    var after = target.value.slice(target.selectionEnd || start);
    var glue = before && !/\s$/.test(before) ? "\n" : "";
    target.value = before + glue + text + "\n" + after;
    target.focus();
    var caret = (before + glue + text + "\n").length;
    target.setSelectionRange(caret, caret);
  });
})();
