"""Browser fixtures for the widget's Chromium test, shared with the end-to-end suite.

``tests/e2e/conftest.py`` owns the Playwright fixtures, but they are only visible under
``tests/e2e``. Playwright's sync API allows one running instance per thread, so when the e2e
suite's session browser is already up (``pytest -m e2e`` runs ``tests/e2e`` first) this
module adopts that browser instead of starting a second Playwright.
"""

from __future__ import annotations

import gc

import pytest

from tests.e2e.conftest import CHROMIUM_ARGS, chromium_path, screenshot  # noqa: F401


def _running_browser():
    from playwright.sync_api import Browser

    for obj in gc.get_objects():
        if isinstance(obj, Browser) and obj.is_connected():
            return obj
    return None


@pytest.fixture(scope="session")
def browser(chromium_path):  # noqa: F811
    shared = _running_browser()
    if shared is not None:
        yield shared
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        own = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield own
        own.close()
