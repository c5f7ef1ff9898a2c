"""The browser fixtures of the Playwright tests, for test_csp_browser.py."""

from tests.e2e.conftest import browser, new_page  # noqa: F401
