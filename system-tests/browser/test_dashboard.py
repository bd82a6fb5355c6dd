"""The dashboard in a real browser against the real Producer and Consumer.

Tests run in name order on one stack and one browser: the first sees the run's database
still empty, and stopping the Producer comes last. The run has its own queue and database,
so every row count is checked exactly.
"""
import os
import random
import time
import unittest
import urllib.request

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from browser import (CONTENT_SECURITY_POLICY, DESKTOP, PHONE, artifacts_dir, console_errors, fail_on_csp_violations,
                     set_viewport, wait_until)
from dashboard_page import POLL_TIMEOUT
from stack_case import StackTestCase

BURST_SIZE = 40
SCREENSHOT_BURST_SIZE = 300
NARROWEST = (360, 740)  # the smallest phone width the page is made for


class DashboardInBrowserTest(StackTestCase):
    def setUp(self):
        # What the page looked like at the end of each test, kept for reading a failure in CI.
        self.addCleanup(lambda: self.driver.save_screenshot(
            os.path.join(artifacts_dir(), f"end-of-{self._testMethodName}.png")))
        fail_on_csp_violations(self)
        set_viewport(self.driver, *DESKTOP)
        self.page.open()

    def test_00_page_comes_with_the_browser_security_headers(self):
        for path in ("/", "/js/main.js", "/api/stats"):
            with urllib.request.urlopen(self.stack.url + path, timeout=5) as response:
                self.assertEqual(response.headers["Content-Security-Policy"], CONTENT_SECURITY_POLICY, path)
                self.assertEqual(response.headers["X-Content-Type-Options"], "nosniff", path)
                self.assertEqual(response.headers["Referrer-Policy"], "strict-origin-when-cross-origin", path)
                self.assertTrue(response.headers["X-Request-Id"], path)

    def test_01_page_loads_without_console_errors_on_an_empty_database(self):
        wait_until(lambda: self.page.element("connection").text == "Live", POLL_TIMEOUT, "page never went live")
        time.sleep(3)  # let a few polls and the chart render happen
        self.assertEqual(console_errors(self.driver), [])
        self.assertEqual(self.page.banner_text(), "")
        self.assertEqual(self.page.rows(), 0)
        self.assertEqual(self.page.element("stat-latest").text, "none yet")
        self.assertTrue(self.page.element("empty-note").is_displayed(), "no empty-database note")
        self.assertNotEqual(self.page.element("hostname").text, "…", "hostname that answered not shown")
        self.assertEqual(self.page.element("source-redis").text, "ok")
        self.assertEqual(self.page.element("source-database").text, "ok")

    def test_02_send_now_raises_row_count(self):
        before = self.page.settled_rows()
        previous = self.page.newest_result()
        sent_at = int(time.time())
        self.page.send_now()
        result = self.page.wait_for_new_result(previous)
        self.assertEqual(result.get_attribute("data-kind"), "ok", result.text)
        self.assertRegex(result.text, r"id \S+")
        value = int(result.text.split("Sent ", 1)[1].split(" ")[0])
        self.assertLessEqual(abs(value - sent_at), 5, "Send now did not send the current Unix time")
        self.page.wait_for_rows(before + 1, "after Send now")
        self.assertEqual(self.page.settled_rows(), before + 1)

    def test_03_custom_value_becomes_latest_value(self):
        # Beyond 2^53: a JavaScript Number would round it, so this checks the exact digits travel.
        value = str(random.randint(2**53 + 1, 2**63 - 1))
        previous = self.page.newest_result()
        self.page.send_custom(value)
        result = self.page.wait_for_new_result(previous)
        self.assertEqual(result.get_attribute("data-kind"), "ok", result.text)
        self.assertIn(value, result.text)
        wait_until(lambda: self.page.stat("stat-latest") == value, POLL_TIMEOUT,
                   f"latest value on the page never became {value}")
        self.assertEqual(self.page.element("stat-latest").text, value)

    def test_04_burst_completes_and_rows_rise_by_its_size(self):
        before = self.page.settled_rows()
        previous = self.page.newest_result()
        self.page.start_burst(BURST_SIZE)
        result = self.page.wait_for_new_result(previous)
        self.assertEqual(result.get_attribute("data-kind"), "ok", result.text)
        self.assertIn(f"{BURST_SIZE} of {BURST_SIZE} sent", self.page.element("burst-status").text)
        self.assertEqual(self.page.element("burst-progress").get_attribute("value"), str(BURST_SIZE))
        self.page.wait_for_rows(before + BURST_SIZE, "after the burst")
        self.assertEqual(self.page.settled_rows(), before + BURST_SIZE)

    def test_04b_burst_can_be_cancelled(self):
        previous = self.page.newest_result()
        self.page.start_burst(10_000)
        wait_until(lambda: int(self.page.element("burst-progress").get_attribute("value")) >= 20, POLL_TIMEOUT,
                   "the burst made no progress")
        self.page.element("burst-cancel").click()
        result = self.page.wait_for_new_result(previous)
        self.assertIn("cancelled", result.text)
        sent = int(self.page.element("burst-status").text.split(" of ")[0])
        self.assertLess(sent, 10_000)
        self.assertTrue(self.page.element("burst-start").is_enabled(), "Send burst stays disabled after Cancel")
        self.assertFalse(self.page.element("burst-cancel").is_enabled(), "Cancel stays enabled after the burst")

    def test_05_out_of_range_value_shows_the_api_message(self):
        too_big = "9223372036854775808"  # 2^63: passes the page's check, the API must refuse it
        status, body = self.stack.post_count(too_big)
        self.assertEqual(status, 400, body)
        previous = self.page.newest_result()
        self.page.send_custom(too_big)
        result = self.page.wait_for_new_result(previous)
        self.assertEqual(result.get_attribute("data-kind"), "error")
        self.assertIn(body["message"], result.text)
        self.assertIn(body["message"], self.page.element("custom-error").text)
        self.assertEqual(self.page.element("custom-value").get_attribute("aria-invalid"), "true")

    def test_06_obvious_non_integer_is_refused_before_sending(self):
        previous = self.page.newest_result()
        self.page.send_custom("12.5")
        wait_until(lambda: "not a whole number" in self.page.element("custom-error").text, 5,
                   "no validation message for 12.5")
        self.assertEqual(self.page.element("custom-value").get_attribute("aria-invalid"), "true")
        time.sleep(1)
        self.assertEqual(self.page.newest_result(), previous, "12.5 was sent anyway")

    def test_07_keyboard_only_send(self):
        before = self.page.settled_rows()
        previous = self.page.newest_result()
        keys = ActionChains(self.driver)
        keys.send_keys(Keys.TAB).perform()
        self.assertIn("skip", self.driver.switch_to.active_element.text.lower(), "first Tab is not the skip link")
        keys.send_keys(Keys.ENTER).perform()
        keys.send_keys(Keys.TAB).perform()
        self.assertEqual(self.page.focused_id(), "send-now", "Tab after the skip link does not reach Send now")
        outline = self.driver.execute_script(
            "const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth];")
        self.assertNotEqual(outline[0], "none", "focused button has no visible outline")
        self.assertNotEqual(outline[1], "0px", "focused button has no visible outline")
        keys.send_keys(Keys.ENTER).perform()
        result = self.page.wait_for_new_result(previous)
        self.assertEqual(result.get_attribute("data-kind"), "ok", result.text)
        self.page.wait_for_rows(before + 1, "after sending with the keyboard")
        self.assertEqual(self.page.settled_rows(), before + 1)

    def test_08_screenshots_at_desktop_and_phone_width(self):
        # A burst first, so the screenshots show the charts with something in them.
        previous = self.page.newest_result()
        self.page.start_burst(SCREENSHOT_BURST_SIZE)
        self.page.wait_for_new_result(previous)
        wait_until(lambda: self.driver.find_elements("css selector", "#chart-rate path.chart-line"),
                   POLL_TIMEOUT, "the ingest chart drew no line")
        time.sleep(4)  # a few more polls, so the rate falls back and the line has a shape
        self.driver.execute_script("document.activeElement.blur()")  # no focus ring in the pictures
        for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
            set_viewport(self.driver, *size)
            self.driver.execute_script("window.scrollTo(0, 0)")
            time.sleep(0.5)
            width, viewport = self.driver.execute_script(
                "return [document.documentElement.scrollWidth, window.innerWidth]")
            self.assertLessEqual(width, viewport, f"page scrolls sideways at {name} width")
            path = os.path.join(artifacts_dir(), f"dashboard-{name}.png")
            self.assertTrue(self.driver.save_screenshot(path), f"could not save {path}")
        set_viewport(self.driver, *NARROWEST)
        self.assertLessEqual(*self.driver.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth]"), "page scrolls sideways at 360 px")
        self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                                    {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        try:
            background = self.driver.execute_script("return getComputedStyle(document.documentElement).backgroundColor")
            self.assertEqual(background, "rgb(15, 17, 21)", "dark colour scheme not applied")
            time.sleep(0.5)  # colour transitions end
            self.driver.save_screenshot(os.path.join(artifacts_dir(), "dashboard-phone-dark.png"))
        finally:
            self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})

    def test_09_banner_when_producer_stops_and_recovery_when_it_returns(self):
        wait_until(lambda: self.page.element("connection").text == "Live", POLL_TIMEOUT, "page never went live")
        self.stack.producer.stop()
        wait_until(lambda: "unreachable" in self.page.banner_text(), 20, "no banner after the Producer stopped")
        self.assertEqual(self.page.element("banner").get_attribute("role"), "alert")
        self.stack.producer.start()
        # The page retries with backoff (at most 15 s apart), so it must notice within that.
        wait_until(lambda: self.page.banner_text() == "", 40, "banner stayed after the Producer came back")
        self.assertEqual(self.page.element("connection").text, "Live")


if __name__ == "__main__":
    unittest.main()
