// Okno desk keyboard shortcuts: j/k move in the queue, Enter opens, x ticks, r reply,
// n note, a assignee, s status, m macro, g i / g m go to queue / my tickets,
// Ctrl+Enter sends, / search, ? shortcut list. No dependencies; htmx swaps are handled.
// Workspace helpers (bulk bar, macros, presence, drag-and-drop) live in workspace.js.
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

  var pendingG = false;

  function go(path) {
    window.location.href = path;
  }

  function toggleTick() {
    var list = rows();
    if (selected < 0 || !list[selected]) return false;
    var box = list[selected].querySelector('input[type="checkbox"][name="ids"]');
    if (!box) return false;
    box.checked = !box.checked;
    box.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      var form = event.target && event.target.closest && event.target.closest("#reply-box");
      if (form) {
        event.preventDefault();
        form.requestSubmit();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    var dialog = document.getElementById("shortcuts");
    if (dialog && dialog.open) return;
    var handled = true;
    if (pendingG) {
      pendingG = false;
      if (event.key === "i") go("/desk/");
      else if (event.key === "m") go("/desk/?view=mine");
      else handled = false;
      if (handled) event.preventDefault();
      return;
    }
    switch (event.key) {
      case "g":
        pendingG = true;
        window.setTimeout(function () {
          pendingG = false;
        }, 1500);
        break;
      case "x":
        handled = toggleTick();
        break;
      case "s":
        var status = document.getElementById("header-status");
        if (status) status.focus();
        else handled = false;
        break;
      case "m":
        var macro = document.getElementById("macro-select");
        if (macro) macro.focus();
        else handled = false;
        break;
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
        var assignee = document.getElementById("header-assignee");
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
    if (!row || event.target.closest("a, button, input, select, label, .col-check")) return;
    window.location.href = row.getAttribute("data-href");
  });

  // After htmx swaps the rows, the old selection is gone.
  document.addEventListener("htmx:afterSwap", function () {
    selected = -1;
  });
})();
