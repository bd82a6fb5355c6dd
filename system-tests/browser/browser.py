"""Headless Debian chromium driven through chromium-driver, with the browser console kept."""
import os
import shutil
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

DESKTOP = (1280, 800)
PHONE = (390, 844)


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
    return webdriver.Chrome(service=service, options=options)


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
