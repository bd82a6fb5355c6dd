"""Headless Debian chromium driven through chromium-driver, with the browser console kept."""
import os
import shutil
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

DESKTOP = (1280, 800)
PHONE = (390, 844)

# The Content-Security-Policy the Producer sends with the page (Sources/Producer/HTTP/
# SecurityHeadersMiddleware.swift) and CloudFront's response-headers policy repeats: the tests check
# the Producer's header against it and the scripted server serves the page under it too, so every
# test runs the page under the policy it has in production.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                           "frame-ancestors 'none'")

# Runs before any script of every page: collects Content-Security-Policy violations, which a test
# must see none of (chromium also logs them to the console, but a listener misses none).
_RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} `
    + `at ${event.sourceFile || "?"}:${event.lineNumber}`);
});
"""


def start_chromium():
    """A headless chromium whose console messages can be read with console_errors()."""
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--no-first-run", "--disable-extensions", "--lang=en-US",
                     f"--window-size={DESKTOP[0]},{DESKTOP[1]}"):
        options.add_argument(argument)
    # A fresh profile per run: nothing cached from an earlier run can hide a missing file.
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='browser-test-profile-')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=service, options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _RECORD_CSP_VIOLATIONS})
    return driver


def csp_violations(driver):
    """The Content-Security-Policy violations of the page loaded now, with the console's reports of them."""
    recorded = driver.execute_script("return window.__cspViolations || [];")
    logged = [entry["message"] for entry in driver.get_log("browser")
              if "Content Security Policy" in entry["message"] or "Content-Security-Policy" in entry["message"]]
    return recorded + logged


def fail_on_csp_violations(test):
    """Makes `test` (a unittest.TestCase with a `driver`) fail when its page violated the policy."""
    test.addCleanup(lambda: test.assertEqual(csp_violations(test.driver), [], "Content-Security-Policy violations"))


def console_errors(driver):
    """SEVERE console entries since the last call (reading the log empties it)."""
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def set_viewport(driver, width, height):
    """Makes the page's viewport exactly width x height CSS pixels (window chrome excluded)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def wait_until(condition, timeout, message, interval=0.2):
    """Polls `condition` until it returns something truthy; fails with `message` on timeout."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception as error:  # the page may be mid-render; try again
            last_error = error
        time.sleep(interval)
    raise AssertionError(f"{message} (waited {timeout} s; last error: {last_error})")


def artifacts_dir():
    """test-artifacts/browser at the repository root (git-ignored)."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(root, "test-artifacts", "browser")
    os.makedirs(path, exist_ok=True)
    return path
