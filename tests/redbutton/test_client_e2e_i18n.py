"""The real client in Russian and Ukrainian against a running Okno: the preview heading, the
ticket number, the offline queue, and the server's own refusals in the person's language (the
client sends ``Accept-Language``). The window too, where Xvfb is installed."""

from __future__ import annotations

import sys

import pytest

from okno.redbutton.models import Press
from okno.tickets.models import Ticket
from tests.redbutton.test_client_e2e import (  # noqa: F401 - shared fixtures
    CLIENT_SRC,
    _reference_data,
    _rules,
    relay,
    run_client,
    workstation,
)
from tests.redbutton.test_gui import display, pump  # noqa: F401 - the Xvfb fixture

sys.path.insert(0, str(CLIENT_SRC))


def test_russian_by_flag_previews_and_prints_the_ticket_number(workstation):  # noqa: F811
    done = run_client(workstation, "--lang", "ru", "--yes", "-m", "Принтер печатает пустые листы")
    assert done.returncode == 0, done.stderr + done.stdout
    ticket = Ticket.objects.get()
    assert f"Ваше обращение #{ticket.pk} зарегистрировано." in done.stdout
    assert "Полный отчёт, который будет отправлен:" in done.stdout
    assert "Комментарий:" in done.stdout and "Собираю диагностику…" in done.stderr
    assert "Your request" not in done.stdout and "The complete report" not in done.stdout
    # what goes to the server stays machine-readable: same keys, the comment as typed
    assert ticket.title.endswith(": Принтер печатает пустые листы")
    assert Press.objects.get().hostname


def test_ukrainian_from_the_system_locale_and_the_second_press(workstation):  # noqa: F811
    uk = {"LANG": "uk_UA.UTF-8"}
    first = run_client(workstation, "--yes", env=uk)
    ticket = Ticket.objects.get()
    assert first.returncode == 0, first.stderr + first.stdout
    assert f"Ваше звернення #{ticket.pk} зареєстровано." in first.stdout
    assert "Повний звіт, який буде надіслано:" in first.stdout
    second = run_client(workstation, "--yes", env=uk)
    assert f"Додано до вашого відкритого звернення #{ticket.pk}." in second.stdout
    english = run_client(workstation, "--yes")  # LANG=C.UTF-8: English stays the default
    assert f"Added to your open request #{ticket.pk}." in english.stdout


def test_offline_then_flushed_in_ukrainian(workstation, relay):  # noqa: F811
    relay.stop()
    offline = run_client(workstation, "--lang", "uk", "--yes", "-m", "Немає мережі")
    assert offline.returncode == 75, offline.stderr + offline.stdout
    assert "Служба підтримки зараз недоступна" in offline.stdout
    assert "Ваш звіт збережено" in offline.stdout
    relay.start()
    flushed = run_client(workstation, "--flush", env={"OKNO_LANG": "uk"})
    assert flushed.returncode == 0, flushed.stderr + flushed.stdout
    ticket = Ticket.objects.get()
    assert f"Ваше звернення #{ticket.pk} зареєстровано." in flushed.stdout
    empty = run_client(workstation, "--flush", "--lang", "ru")
    assert empty.returncode == 0 and "Неотправленных отчётов нет." in empty.stdout


def test_the_servers_refusal_comes_back_in_the_same_language(workstation):  # noqa: F811
    ru = run_client(workstation, "--lang", "ru", "--yes", "--token", "okrb_not-a-real-token")
    assert ru.returncode == 1
    assert "Служба поддержки отклонила отчёт: Токен устройства недействителен" in ru.stdout
    en = run_client(workstation, "--yes", "--token", "okrb_not-a-real-token")
    assert "The service desk refused the report: The device token is invalid" in en.stdout
    assert not Ticket.objects.exists()


@pytest.fixture
def russian():
    from okno_redbutton import i18n

    i18n.setup("ru", {})
    yield
    i18n.setup("en", {})


def test_the_window_in_russian_sends_and_shows_the_ticket_number(
    display,  # noqa: F811
    workstation,  # noqa: F811
    russian,
    tmp_path,
):
    import tkinter as tk
    from tkinter import scrolledtext

    from okno_redbutton import config, gui

    cfg = config.load(
        path=str(workstation["home"] / ".config" / "okno-redbutton" / "config.ini"),
        spool_dir=str(tmp_path / "spool"),
        env={},
    )
    root = tk.Tk()
    try:
        window = gui.Window(root, tk, scrolledtext, cfg, ["processes", "logs"])
        assert root.title() == "Красная кнопка — ИТ-поддержка"
        assert window.button.cget("text") == "ПОЛУЧИТЬ ПОМОЩЬ"
        assert window.heading.cget("text") == "Что-то не работает?"
        window.comment.insert("1.0", "Teams падает при запуске")
        window.button.invoke()
        pump(root, lambda: getattr(window, "send_button", None))
        assert window.send_button.cget("text") == "Отправить"
        assert window.cancel_button.cget("text") == "Отмена"
        text = window.preview_text.get("1.0", "end")
        assert "Комментарий:   Teams падает при запуске" in text
        assert "Полный отчёт, который будет отправлен:" in text and '"diagnostics"' in text
        window.send_button.invoke()
        message = pump(
            root, lambda: "#" in window.status.cget("text") and window.status.cget("text")
        )
        ticket = Ticket.objects.get()
        assert message == f"Ваше обращение #{ticket.pk} зарегистрировано."
        assert window.exit_code == 0
    finally:
        root.destroy()
