// Okno desk keyboard shortcuts: j/k move in the queue, Enter opens, r reply, n note,
// a assignee, / search, ? shortcut list. No dependencies; htmx swaps are handled.
(function () {
  "use strict";

  function typing(target) {
    if (!target) return false;
    var tag = target.tagName;
    return (
      target.isContentEditable ||
      tag === "INPUT" ||
      tag === "TEXTAREA" ||
      tag === "SELECT"
    );
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-queue] tbody tr[data-href]"));
  }

  var selected = -1;

  function select(index) {
    var list = rows();
    if (!list.length) return;
    index = Math.max(0, Math.min(index, list.length - 1));
    list.forEach(function (row) {
      row.classList.remove("is-selected");
      row.removeAttribute("aria-selected");
    });
    var row = list[index];
    row.classList.add("is-selected");
    row.setAttribute("aria-selected", "true");
    row.scrollIntoView({ block: "nearest" });
    selected = index;
  }

  function focusReply(kind) {
    var box = document.getElementById("reply-box");
    if (!box) return false;
    var radio = box.querySelector('input[name="kind"][value="' + kind + '"]');
    if (radio) radio.checked = true;
    var body = box.querySelector("textarea");
    if (body) body.focus();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    var dialog = document.getElementById("shortcuts");
    if (dialog && dialog.open) return;
    var handled = true;
    switch (event.key) {
      case "j":
        select(selected + 1);
        break;
      case "k":
        select(selected < 0 ? 0 : selected - 1);
        break;
      case "Enter":
        var list = rows();
        if (selected >= 0 && list[selected]) {
          window.location.href = list[selected].getAttribute("data-href");
        } else {
          handled = false;
        }
        break;
      case "r":
        handled = focusReply("reply");
        break;
      case "n":
        handled = focusReply("note");
        break;
      case "a":
        var assignee = document.getElementById("id_assignee");
        if (assignee) assignee.focus();
        else handled = false;
        break;
      case "/":
        var search = document.getElementById("filter-q") || document.getElementById("global-search");
        if (search) search.focus();
        else handled = false;
        break;
      case "?":
        if (dialog) dialog.showModal();
        else handled = false;
        break;
      default:
        handled = false;
    }
    if (handled) event.preventDefault();
  });

  // Clicking anywhere on a queue row opens it (the title stays a real link).
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("[data-queue] tbody tr[data-href]");
    if (!row || event.target.closest("a, button, input, select")) return;
    window.location.href = row.getAttribute("data-href");
  });

  // After htmx swaps the rows, the old selection is gone.
  document.addEventListener("htmx:afterSwap", function () {
    selected = -1;
  });
})();
