"""The one-button window (Tk). All logic lives in ``report``; this file only wires widgets.

Work runs in a background thread and the result is handed back to Tk through a queue polled
with ``after``, so the window never freezes while diagnostics are collected or sent.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from typing import Any

from . import report, spool
from .config import Config
from .i18n import _, ngettext

RED = "#c62828"
RED_ACTIVE = "#a31515"


def run(cfg: Config, skip: list[str] | None = None) -> int:
    try:
        import tkinter as tk
        from tkinter import scrolledtext
    except ImportError:
        print("okno-redbutton: " + _("Tk is not installed (Debian/Ubuntu: apt install python3-tk)"))
        return 2
    try:
        root = tk.Tk()
    except tk.TclError as exc:
        print(
            "okno-redbutton: "
            + _("cannot open a window (%(error)s); use the command line instead") % {"error": exc}
        )
        return 2
    app = Window(root, tk, scrolledtext, cfg, skip or [])
    if os.environ.get("OKNO_REDBUTTON_GUI_SMOKE"):
        root.after(500, root.destroy)  # used by the smoke test under Xvfb
    root.mainloop()
    return app.exit_code


class Window:
    def __init__(self, root: Any, tk: Any, scrolledtext: Any, cfg: Config, skip: list[str]) -> None:
        self.root, self.tk, self.scrolledtext, self.cfg, self.skip = (
            root,
            tk,
            scrolledtext,
            cfg,
            skip,
        )
        self.results: queue.Queue[Callable[[], None]] = queue.Queue()
        self.exit_code = 0
        root.title(_("Red Button — IT support"))
        root.minsize(360, 320)
        frame = tk.Frame(root, padx=16, pady=16)
        frame.pack(fill="both", expand=True)
        self.heading = tk.Label(
            frame, text=_("Something is not working?"), font=("TkDefaultFont", 13, "bold")
        )
        self.heading.pack(anchor="w")
        tk.Label(frame, text=_("Describe it in a few words (optional):")).pack(
            anchor="w", pady=(8, 2)
        )
        self.comment = tk.Text(frame, height=4, width=44, wrap="word")
        self.comment.pack(fill="x")
        self.want_shot = tk.BooleanVar(value=cfg.screenshot)
        tk.Checkbutton(frame, text=_("Attach a screenshot"), variable=self.want_shot).pack(
            anchor="w", pady=4
        )
        self.button = tk.Button(
            frame,
            text=_("GET HELP"),
            font=("TkDefaultFont", 18, "bold"),
            bg=RED,
            fg="white",
            activebackground=RED_ACTIVE,
            activeforeground="white",
            height=2,
            command=self.press,
        )
        self.button.pack(fill="x", pady=(8, 8))
        self.status = tk.Label(frame, text="", wraplength=340, justify="left")
        self.status.pack(anchor="w", fill="x")
        root.after(100, self._poll)
        if spool.pending(cfg.spool_dir) and not cfg.missing():
            self._background(lambda: report.flush(cfg), self._flushed)

    # --- plumbing ------------------------------------------------------------------------------
    def _background(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        def target() -> None:
            try:
                value = work()
            except Exception as exc:
                value = exc
            self.results.put(lambda: done(value))

        threading.Thread(target=target, daemon=True).start()

    def _poll(self) -> None:
        while not self.results.empty():
            self.results.get()()
        self.root.after(100, self._poll)

    def _say(self, text: str, color: str = "") -> None:
        self.status.configure(text=text, fg=color or "black")

    # --- steps ---------------------------------------------------------------------------------
    def _flushed(self, results: Any) -> None:
        if isinstance(results, list):
            sent = [r for r in results if r.state == "sent"]
            if sent:
                heading = ngettext(
                    "Sent %(n)d earlier report:", "Sent %(n)d earlier reports:", len(sent)
                ) % {"n": len(sent)}
                self._say(heading + " " + " ".join(r.message for r in sent))

    def press(self) -> None:
        self.button.configure(state="disabled")
        self._say(_("Collecting diagnostics…"))
        comment = self.comment.get("1.0", "end").strip()
        shot = bool(self.want_shot.get())
        self._background(
            lambda: report.build(self.cfg, comment=comment, skip=self.skip, screenshot=shot),
            self._preview,
        )

    def _preview(self, payload: Any) -> None:
        if isinstance(payload, Exception):
            self._fail(_("Could not collect diagnostics: %(error)s") % {"error": payload})
            return
        tk = self.tk
        dialog = tk.Toplevel(self.root)
        dialog.title(_("This will be sent to IT support"))
        tk.Label(dialog, text=_("Please check what will be sent:"), padx=8, pady=8).pack(anchor="w")
        text = self.scrolledtext.ScrolledText(dialog, width=90, height=30, wrap="none")
        text.insert("1.0", report.preview(payload))
        text.configure(state="disabled")
        self.preview_text = text  # the exact words the person confirms (tests read them)
        text.pack(fill="both", expand=True, padx=8)
        buttons = tk.Frame(dialog, pady=8)
        buttons.pack()

        def cancel() -> None:
            dialog.destroy()
            self.button.configure(state="normal")
            self._say(_("Cancelled; nothing was sent."))

        def send() -> None:
            dialog.destroy()
            self._say(_("Sending…"))
            self._background(lambda: report.send(self.cfg, payload), self._sent)

        self.send_button = tk.Button(
            buttons, text=_("Send"), width=12, command=send, bg=RED, fg="white"
        )
        self.send_button.pack(side="left", padx=4)
        self.cancel_button = tk.Button(buttons, text=_("Cancel"), width=12, command=cancel)
        self.cancel_button.pack(side="left", padx=4)
        dialog.protocol("WM_DELETE_WINDOW", cancel)
        dialog.transient(self.root)
        dialog.grab_set()

    def _sent(self, result: Any) -> None:
        self.button.configure(state="normal")
        if isinstance(result, Exception):
            self._fail(_("Something went wrong: %(error)s") % {"error": result})
            return
        shown = describe(result)
        self._say(shown["text"], shown["color"])
        self.exit_code = 0 if result.state == "sent" else 75 if result.state == "queued" else 1

    def _fail(self, message: str) -> None:
        self.button.configure(state="normal")
        self._say(message, RED)
        self.exit_code = 1


def describe(result: report.Result) -> dict[str, str]:
    """Words and colour for a result (kept outside Tk so it can be tested)."""
    color = {"sent": "#1b5e20", "queued": "#8a5300"}.get(result.state, RED)
    return {"text": result.message, "color": color}
