# The browser fixtures live with the end-to-end suite; the widget's browser test reuses them.
from tests.e2e.conftest import browser, chromium_path, screenshot  # noqa: F401
