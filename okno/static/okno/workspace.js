// Okno agent workspace: bulk bar on the queue, macros and drag-and-drop in the reply box,
// presence ("Alice is replying") on the ticket page. Progressive enhancement only: every
// form also works without this file.
(function () {
  "use strict";

  // --- Bulk bar -------------------------------------------------------------------------
  function ticked() {
    return document.querySelectorAll('input[name="ids"][form="bulk-form"]:checked');
  }

  function updateBulk() {
    var bar = document.getElementById("bulk-form");
    if (!bar) return;
    var count = ticked().length;
    var label = bar.querySelector("[data-bulk-count]");
    if (label) {
      label.textContent = count
        ? (bar.getAttribute("data-ticked") || "%n ticked").replace("%n", count)
        : bar.getAttribute("data-none") || label.textContent;
    }
    bar.classList.toggle("has-selection", count > 0);
  }

  function showOperationFields() {
    var op = document.getElementById("bulk-operation");
    if (!op) return;
    document.querySelectorAll("[data-bulk-for]").forEach(function (field) {
      field.hidden = field.getAttribute("data-bulk-for") !== op.value;
    });
  }

  document.addEventListener("change", function (event) {
    var t = event.target;
    if (t.matches && t.matches("[data-check-all]")) {
      document.querySelectorAll('input[name="ids"][form="bulk-form"]').forEach(function (box) {
        box.checked = t.checked;
      });
      updateBulk();
    } else if (t.matches && t.matches('input[name="ids"]')) {
      updateBulk();
    } else if (t.id === "bulk-operation") {
      showOperationFields();
    } else if (t.id === "macro-select" && t.value) {
      insertMacro(t);
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id === "bulk-form" || form.id === "save-view-form") {
      var next = form.querySelector('input[name="next"]');
      if (next) next.value = window.location.pathname + window.location.search;
    }
    if (form.id === "save-view-form") {
      var params = form.querySelector('input[name="params"]');
      var search = new URLSearchParams(window.location.search);
      ["cursor", "sv", "view"].forEach(function (key) {
        search.delete(key);
      });
      if (params) params.value = search.toString();
    }
  });

  document.addEventListener("htmx:afterSwap", updateBulk);

  // --- Macros ---------------------------------------------------------------------------
  function insertMacro(select) {
    var url = select.getAttribute("data-macro-url") + "?name=" + encodeURIComponent(select.value);
    fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (text) {
        var body = document.querySelector("#reply-box textarea[name=body]");
        if (!body) return;
        var start = body.selectionStart || body.value.length;
        body.value = body.value.slice(0, start) + text + body.value.slice(body.selectionEnd || start);
        body.focus();
        body.dispatchEvent(new Event("input", { bubbles: true }));
        select.value = "";
      })
      .catch(function () {
        select.form && select.form.submit();
      });
  }

  // --- Drag and drop onto the reply box -------------------------------------------------
  function setupDrop() {
    var box = document.getElementById("reply-box");
    if (!box) return;
    var input = box.querySelector('input[type="file"][name="attachments"]');
    var list = box.querySelector("[data-drop-list]");
    if (!input || typeof DataTransfer === "undefined") return;
    var zone = box.querySelector("[data-drop-zone]");
    if (zone) zone.classList.add("drop-ready");

    function showFiles() {
      if (!list) return;
      list.textContent = "";
      Array.prototype.forEach.call(input.files, function (file) {
        var li = document.createElement("li");
        li.textContent = file.name;
        list.appendChild(li);
      });
    }

    box.addEventListener("dragover", function (event) {
      if (!event.dataTransfer || Array.prototype.indexOf.call(event.dataTransfer.types, "Files") < 0) return;
      event.preventDefault();
      box.classList.add("is-dragging");
    });
    box.addEventListener("dragleave", function (event) {
      if (!box.contains(event.relatedTarget)) box.classList.remove("is-dragging");
    });
    box.addEventListener("drop", function (event) {
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      event.preventDefault();
      box.classList.remove("is-dragging");
      var merged = new DataTransfer();
      Array.prototype.forEach.call(input.files, function (f) {
        merged.items.add(f);
      });
      Array.prototype.forEach.call(event.dataTransfer.files, function (f) {
        merged.items.add(f);
      });
      input.files = merged.files;
      showFiles();
    });
    input.addEventListener("change", showFiles);
  }

  // --- Presence -------------------------------------------------------------------------
  function setupPresence() {
    var poll = document.querySelector(".presence-poll");
    var body = document.querySelector("#reply-box textarea[name=body]");
    if (!poll) return;
    var state = poll.querySelector("[data-presence-state]");
    var idle;
    if (body) {
      body.addEventListener("input", function () {
        var was = state.value;
        state.value = body.value.trim() ? "replying" : "viewing";
        if (was !== state.value && window.htmx) window.htmx.trigger(poll, "presence-change");
        window.clearTimeout(idle);
        idle = window.setTimeout(function () {
          if (state.value === "replying" && !body.value.trim()) {
            state.value = "viewing";
            if (window.htmx) window.htmx.trigger(poll, "presence-change");
          }
        }, 30000);
      });
    }
    window.addEventListener("pagehide", function () {
      var token = document.querySelector("input[name=csrfmiddlewaretoken]");
      if (!navigator.sendBeacon || !token) return;
      var data = new FormData();
      data.append("state", "left");
      data.append("csrfmiddlewaretoken", token.value);
      navigator.sendBeacon(poll.getAttribute("data-presence-url"), data);
    });
  }

  function init() {
    // With scripts, choosing a macro inserts it at once: the no-JS "Insert" button goes.
    document.querySelectorAll("[data-macro-fallback]").forEach(function (button) {
      button.hidden = true;
    });
    showOperationFields();
    updateBulk();
    setupDrop();
    setupPresence();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
