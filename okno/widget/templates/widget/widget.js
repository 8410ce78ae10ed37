/* Okno "Contact support" widget.
 *
 *   <script src="https://desk.example.com/widget/widget.js" data-widget="PUBLIC-ID" defer></script>
 *
 * Adds a button that opens a small form in a shadow root (the host page's CSS cannot break it,
 * ours cannot leak out). The form posts to the service desk without cookies; the desk answers
 * only pages on the widget's allowed origins. No dependencies, no build step.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var T = __OKNO_STRINGS__;
  var widgetId = script.getAttribute("data-widget") || script.getAttribute("data-service") || "";
  var src = new URL(script.src, document.baseURI);
  var base = src.origin + src.pathname.replace(/\/widget\/widget\.js$/, "");
  var endpoint = base + "/widget/" + encodeURIComponent(widgetId);
  var honeypotName = "website";
  var seq = 0;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") { node.textContent = attrs[key]; }
      else { node.setAttribute(key, attrs[key]); }
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : all;
    });
  }

  var CSS = [
    ":host { all: initial; }",
    "* { box-sizing: border-box; font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }",
    ".launch { position: fixed; right: 16px; bottom: 16px; z-index: 2147483000; border: 0;",
    "  border-radius: 999px; padding: 12px 20px; font-size: 15px; font-weight: 600; cursor: pointer;",
    "  background: #1f5fbf; color: #fff; box-shadow: 0 4px 16px rgba(0,0,0,.2); }",
    ".launch:hover { background: #184d9c; }",
    "button:focus-visible, input:focus-visible, textarea:focus-visible {",
    "  outline: 3px solid #f0a500; outline-offset: 2px; }",
    "dialog { width: min(28rem, calc(100vw - 32px)); max-height: calc(100vh - 32px); border: 0;",
    "  border-radius: 12px; padding: 24px; color: #1c1f24; background: #fff;",
    "  box-shadow: 0 12px 48px rgba(0,0,0,.3); font-size: 15px; line-height: 1.4; }",
    "dialog::backdrop { background: rgba(15, 20, 30, .45); }",
    "h2 { margin: 0 0 4px; font-size: 20px; }",
    "p { margin: 0 0 16px; }",
    ".field { display: flex; flex-direction: column; gap: 4px; margin-bottom: 12px; }",
    "label { font-weight: 600; font-size: 14px; }",
    ".req { font-weight: 400; color: #5b6270; }",
    "input, textarea { font: inherit; padding: 8px 10px; border: 1px solid #8a93a3; border-radius: 6px;",
    "  color: inherit; background: transparent; width: 100%; }",
    "textarea { min-height: 7em; resize: vertical; }",
    "input[type=file] { border-style: dashed; }",
    "[aria-invalid=true] { border-color: #b3261e; }",
    ".error { color: #b3261e; font-size: 14px; margin: 0; }",
    ".status { min-height: 1.4em; margin: 8px 0; }",
    ".status.bad { color: #b3261e; }",
    ".hp { position: absolute; left: -10000px; width: 1px; height: 1px; overflow: hidden; }",
    ".actions { display: flex; justify-content: flex-end; gap: 8px; }",
    ".actions button { font: inherit; padding: 8px 16px; border-radius: 6px; cursor: pointer;",
    "  border: 1px solid #8a93a3; background: transparent; color: inherit; }",
    ".actions .primary { background: #1f5fbf; border-color: #1f5fbf; color: #fff; font-weight: 600; }",
    ".actions .primary[disabled] { opacity: .6; cursor: progress; }",
    ".confirmation strong { font-size: 18px; }",
    "@media (prefers-color-scheme: dark) {",
    "  dialog { background: #1e2128; color: #e8eaee; }",
    "  .req { color: #a9b0bd; } .error, .status.bad { color: #ff8a80; }",
    "  [aria-invalid=true] { border-color: #ff8a80; } }"
  ].join("\n");

  function field(name, label, control, required) {
    var id = "okno-" + name + "-" + (++seq);
    var err = el("p", { "class": "error", id: id + "-error", hidden: "" });
    control.id = id;
    control.name = name;
    control.setAttribute("aria-describedby", err.id);
    if (required) { control.required = true; }
    var lab = el("label", { "for": id, text: label });
    if (required) { lab.appendChild(el("span", { "class": "req", text: " (" + T.required + ")" })); }
    return { wrap: el("div", { "class": "field" }, [lab, control, err]), control: control, error: err };
  }

  function build() {
    var host = el("div", { "data-okno-widget": widgetId });
    var root = host.attachShadow({ mode: "open" });
    root.appendChild(el("style", { text: CSS }));
    var launch = el("button", { "class": "launch", type: "button", "aria-haspopup": "dialog", text: T.button });
    var titleId = "okno-title-" + (++seq);
    var dialog = el("dialog", { "aria-labelledby": titleId });
    root.appendChild(launch);
    root.appendChild(dialog);

    var fields = {
      name: field("name", T.name, el("input", { type: "text", autocomplete: "name", maxlength: "200" }), false),
      email: field("email", T.email, el("input", { type: "email", autocomplete: "email", maxlength: "254" }), true),
      message: field("message", T.message, el("textarea", { rows: "5" }), true),
      attachments: field("attachments", T.attachments, el("input", { type: "file", multiple: "" }), false)
    };
    var hpInput = el("input", { type: "text", tabindex: "-1", autocomplete: "off" });
    var hpId = "okno-hp-" + (++seq);
    hpInput.id = hpId;
    var hp = el("div", { "class": "hp", "aria-hidden": "true" }, [el("label", { "for": hpId, text: T.honeypot }), hpInput]);
    var status = el("p", { "class": "status", role: "status", "aria-live": "polite" });
    var send = el("button", { type: "submit", "class": "primary", text: T.send });
    var cancel = el("button", { type: "button", text: T.cancel });
    var form = el("form", { novalidate: "" }, [
      el("h2", { id: titleId, text: T.title }),
      el("p", { text: T.intro }),
      fields.name.wrap, fields.email.wrap, fields.message.wrap, fields.attachments.wrap, hp,
      status,
      el("div", { "class": "actions" }, [cancel, send])
    ]);
    dialog.appendChild(form);

    function clearErrors() {
      Object.keys(fields).forEach(function (key) {
        fields[key].error.hidden = true;
        fields[key].error.textContent = "";
        fields[key].control.removeAttribute("aria-invalid");
      });
      status.textContent = "";
      status.className = "status";
    }

    function showErrors(body) {
      var first = null;
      var errors = (body && body.error && body.error.fields) || {};
      Object.keys(errors).forEach(function (key) {
        var f = fields[key];
        if (!f) { return; }
        f.error.textContent = errors[key].join(" ");
        f.error.hidden = false;
        f.control.setAttribute("aria-invalid", "true");
        first = first || f.control;
      });
      status.textContent = (body && body.error && body.error.message) || T.failed;
      status.className = "status bad";
      if (first) { first.focus(); }
    }

    function confirm(body, email) {
      var number = body.ticket.reference;
      var box = el("div", { "class": "confirmation", role: "status", tabindex: "-1" }, [
        el("h2", { id: titleId, text: T.title }),
        el("p", {}, [el("strong", { text: fmt(T.thanks, { number: number }) })]),
        el("p", { text: fmt(T.followup, { email: email }) })
      ]);
      var close = el("button", { type: "button", "class": "primary", text: T.close });
      close.addEventListener("click", function () { dialog.close(); });
      box.appendChild(el("div", { "class": "actions" }, [close]));
      dialog.replaceChild(box, form);
      box.focus();
      dialog.addEventListener("close", function reset() {
        dialog.removeEventListener("close", reset);
        dialog.replaceChild(form, box);
        form.reset();
        clearErrors();
      });
    }

    function loadConfig() {
      return fetch(endpoint + "/config", { credentials: "omit", mode: "cors" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (cfg) { if (cfg && cfg.honeypot) { honeypotName = cfg.honeypot; } })
        .catch(function () { /* shown when sending */ });
    }

    launch.addEventListener("click", function () {
      clearErrors();
      dialog.showModal();
      fields.name.control.focus();
      loadConfig();
    });
    cancel.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", function () { launch.focus(); });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors();
      var data = new FormData();
      data.append("name", fields.name.control.value);
      data.append("email", fields.email.control.value);
      data.append("message", fields.message.control.value);
      data.append("page", window.location.href);
      data.append(honeypotName, hpInput.value);
      Array.prototype.forEach.call(fields.attachments.control.files || [], function (file) {
        data.append("attachments", file, file.name);
      });
      send.disabled = true;
      send.textContent = T.sending;
      var email = fields.email.control.value;
      fetch(endpoint + "/submit", { method: "POST", body: data, credentials: "omit", mode: "cors" })
        .then(function (response) {
          return response.json().catch(function () { return null; }).then(function (body) {
            if (response.status === 201 && body && body.ticket) { confirm(body, email); }
            else { showErrors(body); }
          });
        })
        .catch(function () {
          status.textContent = T.unreachable;
          status.className = "status bad";
        })
        .then(function () {
          send.disabled = false;
          send.textContent = T.send;
        });
    });
    (document.body || document.documentElement).appendChild(host);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", build); }
  else { build(); }
})();
