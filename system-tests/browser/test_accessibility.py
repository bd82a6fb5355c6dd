"""Accessibility checks a browser can make: names for every control, the live regions, and text
contrast (WCAG AA) in both colour schemes with the banner, a field error and results on screen."""
import os
import unittest

from browser import console_errors, wait_until
from scripted_server import stats
from stack_case import ScriptedServerTestCase

with open(os.path.join(os.path.dirname(__file__), "contrast_check.js")) as script:
    CONTRAST_CHECK = script.read()

UNNAMED_CONTROLS = """
return [...document.querySelectorAll("input, select, textarea, button, [role=img]")]
  .filter((element) => !(element.labels?.length || element.getAttribute("aria-label")
                         || element.getAttribute("aria-labelledby") || element.textContent.trim()))
  .map((element) => element.outerHTML.slice(0, 80));
"""


class AccessibilityTest(ScriptedServerTestCase):
    def show_every_kind_of_text(self):
        """Numbers, a field error, a failed send under Results, and the banner."""
        self.server.answer_stats(200, stats(rows_count=1234, latest_value=42, latest_lag_ms=15))
        self.page.open()
        previous = self.page.newest_result()
        self.page.send_custom("x")
        self.page.element("send-now").click()  # the scripted server refuses POSTs: an error result
        self.page.wait_for_new_result(previous)
        self.server.answer_stats(503, {"error": "database_unavailable", "message": "MariaDB did not answer."})
        wait_until(lambda: "MariaDB did not answer." in self.page.banner_text(), 15, "no banner")
        console_errors(self.driver)  # the refused POST and the 503s are expected here

    def test_every_control_and_chart_has_a_name(self):
        self.server.answer_stats(200, stats(rows_count=5, latest_value=5))
        self.page.open()
        self.assertEqual(self.driver.execute_script(UNNAMED_CONTROLS), [])
        self.assertEqual(self.driver.execute_script("return document.documentElement.lang"), "en")
        self.assertEqual(len(self.driver.find_elements("css selector", "h1")), 1)
        self.assertEqual(self.page.element("banner").get_attribute("role"), "alert")
        self.assertEqual(self.page.element("results").get_attribute("aria-live"), "polite")

    def test_text_contrast_in_light_and_dark(self):
        self.show_every_kind_of_text()
        for scheme in ("light", "dark"):
            with self.subTest(scheme=scheme):
                self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                                            {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
                self.driver.execute_script("return new Promise((done) => setTimeout(done, 400))")  # transitions
                self.assertEqual(self.driver.execute_script(CONTRAST_CHECK), [])
        self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


if __name__ == "__main__":
    unittest.main()
