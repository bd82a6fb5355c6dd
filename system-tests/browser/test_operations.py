"""The operator's part of the dashboard in a real browser, against the real Producer (with an
ADMIN_TOKEN) and Consumer: history shown the moment the page opens, the dead-letter panel behind
the token (kept in sessionStorage only), pause, resume, replay and purge with their confirmation,
all by keyboard, readable on a phone and in both colour schemes.

Tests run in name order on one stack and one browser.
"""
import os
import subprocess
import time
import unittest

from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from browser import PHONE, artifacts_dir, console_errors, set_viewport, wait_until
from dashboard_page import POLL_TIMEOUT
from stack_case import StackTestCase

TOKEN = "browser-test-admin-token-0123456789"
POSTED = 5
UNDECODABLE = 3

with open(os.path.join(os.path.dirname(__file__), "contrast_check.js")) as script:
    CONTRAST_CHECK = script.read()


class OperationsInBrowserTest(StackTestCase):
    producer_settings = {"ADMIN_TOKEN": TOKEN}

    @classmethod
    def prepare_stack(cls):
        for value in range(1, POSTED + 1):
            assert cls.stack.post_count(str(value))[0] == 201
        # Entries no message can be made of: the Consumer dead-letters them as undecodable.
        cls.redis("RPUSH", cls.stack.queue, *[f"not-a-number-{index}" for index in range(UNDECODABLE)])

    @staticmethod
    def redis(*command):
        return subprocess.run(["redis-cli", "-h", os.environ["REDIS_HOST"], "-p", os.environ["REDIS_PORT"], *command],
                              check=True, capture_output=True, text=True, timeout=10).stdout.strip()

    def setUp(self):
        self.addCleanup(lambda: self.driver.save_screenshot(
            os.path.join(artifacts_dir(), f"end-of-{self._testMethodName}.png")))
        self.page.open()

    def text(self, element_id):
        return self.page.element(element_id).text

    def press(self, element_id, key=Keys.ENTER):
        """Focuses a control and presses a key on it, as a keyboard user would."""
        element = self.page.element(element_id)
        self.driver.execute_script("arguments[0].focus()", element)
        element.send_keys(key)

    def unlock(self, token=TOKEN):
        field = self.page.element("admin-token")
        field.clear()
        field.send_keys(token, Keys.ENTER)

    def confirm_with_keyboard(self):
        wait_until(lambda: self.page.element("admin-confirm").is_displayed(), POLL_TIMEOUT, "no confirmation shown")
        self.assertEqual(self.page.focused_id(), "admin-confirm-yes", "focus did not move to Confirm")
        self.page.element("admin-confirm-yes").send_keys(Keys.ENTER)

    def test_1_history_shows_the_past_the_moment_the_page_opens(self):
        wait_until(lambda: f"{POSTED} accepted in the last 1 hour" in self.text("history-status"), POLL_TIMEOUT,
                   f"history never said {POSTED} accepted: {self.text('history-status')!r}")
        self.assertNotIn("collecting data", self.text("chart-history-accepted"))
        # The window picker by keyboard: arrows move a radio group's choice.
        hour = self.driver.find_element("css selector", 'input[name="history-window"][value="1h"]')
        self.driver.execute_script("arguments[0].focus()", hour)
        hour.send_keys(Keys.ARROW_RIGHT)
        self.driver.switch_to.active_element.send_keys(Keys.ARROW_RIGHT)
        wait_until(lambda: "last 7 days" in self.text("history-status"), POLL_TIMEOUT, "the window picker did nothing")
        self.assertIn(f"{POSTED} accepted", self.text("history-status"))
        self.assertEqual(console_errors(self.driver), [])

    def test_2_the_dead_letters_open_with_the_token_which_stays_in_this_tab_only(self):
        self.assertFalse(self.page.element("admin-panel").is_displayed())
        self.unlock()
        wait_until(lambda: f"{UNDECODABLE} dead letters ({UNDECODABLE} undecodable)" in self.text("dead-letters-total"),
                   POLL_TIMEOUT, f"no summary: {self.text('dead-letters-total')!r}")
        self.assertIn("undecodable", self.text("dead-letters-reasons"))
        self.assertIn("not-a-number-2", self.text("dead-letters-records"))
        storage = self.driver.execute_script(
            "return [sessionStorage.getItem('count-pipeline-admin-token'), localStorage.length, document.cookie]")
        self.assertEqual(storage, [TOKEN, 0, ""])
        self.page.open()  # a reload in the same tab keeps it
        wait_until(lambda: self.page.element("admin-panel").is_displayed(), POLL_TIMEOUT, "the token was not kept")

    def test_3_pause_holds_new_values_and_resume_releases_them(self):
        wait_until(lambda: self.page.element("admin-panel").is_displayed(), POLL_TIMEOUT, "panel locked")
        rows = self.page.settled_rows()
        self.press("admin-pause")
        self.confirm_with_keyboard()
        wait_until(lambda: "Paused" in self.text("admin-result"), POLL_TIMEOUT, "no result after pausing")
        wait_until(lambda: "The queue is paused." in self.page.banner_text(), POLL_TIMEOUT, "no paused banner")
        self.stack.post_count("777")
        time.sleep(3)
        self.assertEqual(self.page.rows(), rows, "a paused Consumer inserted a row")
        self.assertEqual(self.page.stat("stat-queue"), "1")
        self.press("admin-resume")
        self.confirm_with_keyboard()
        wait_until(lambda: "Resumed" in self.text("admin-result"), POLL_TIMEOUT, "no result after resuming")
        self.page.wait_for_rows(rows + 1, "after resuming")
        wait_until(lambda: self.page.banner_text() == "", POLL_TIMEOUT, "the paused banner stayed")

    def test_4_replay_and_purge_say_how_many_first(self):
        wait_until(lambda: self.page.element("admin-panel").is_displayed(), POLL_TIMEOUT, "panel locked")
        Select(self.page.element("admin-selector")).select_by_value("undecodable")
        self.press("admin-replay")
        wait_until(lambda: self.page.element("admin-confirm").is_displayed(), POLL_TIMEOUT, "no confirmation shown")
        self.assertEqual(self.text("admin-confirm-text"), f"Replay {UNDECODABLE} dead letters (Kind: undecodable) onto the queue?")
        self.press("admin-confirm-no")
        self.assertIn("nothing was changed", self.text("admin-result"))
        self.assertEqual(self.page.focused_id(), "admin-replay", "focus did not return to the button")
        self.press("admin-purge")
        wait_until(lambda: self.page.element("admin-confirm").is_displayed(), POLL_TIMEOUT, "no confirmation shown")
        self.assertEqual(self.text("admin-confirm-text"), f"Delete {UNDECODABLE} dead letters (Kind: undecodable) for good?")
        self.confirm_with_keyboard()
        wait_until(lambda: self.text("admin-result") == f"Purged {UNDECODABLE} dead letters.", POLL_TIMEOUT,
                   f"no purge result: {self.text('admin-result')!r}")
        wait_until(lambda: self.text("dead-letters-total").startswith("0 dead letters"), POLL_TIMEOUT, "summary not refreshed")
        self.assertEqual(self.redis("LLEN", "{" + self.stack.queue + "}:dead"), "0")

    def test_5_phone_width_and_contrast_with_the_panel_open(self):
        wait_until(lambda: self.page.element("admin-panel").is_displayed(), POLL_TIMEOUT, "panel locked")
        self.press("admin-pause")  # the confirmation box on screen too; cancelled below
        for width, height in (PHONE, (1280, 800)):
            set_viewport(self.driver, width, height)
            overflow = self.driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            self.assertLessEqual(overflow, 0, f"the page scrolls sideways at {width} px")
        for scheme in ("light", "dark"):
            with self.subTest(scheme=scheme):
                self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                                            {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
                self.driver.execute_script("return new Promise((done) => setTimeout(done, 400))")
                self.assertEqual(self.driver.execute_script(CONTRAST_CHECK), [])
        self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
        self.press("admin-confirm-no")

    def test_6_a_wrong_token_is_refused_and_forgotten(self):
        self.press("admin-forget")
        self.assertEqual(self.page.focused_id(), "admin-token")
        self.unlock("not-the-admin-token-000000")
        wait_until(lambda: "refused this token" in self.text("admin-token-error"), POLL_TIMEOUT, "wrong token accepted")
        self.assertIsNone(self.driver.execute_script("return sessionStorage.getItem('count-pipeline-admin-token')"))
        unexpected = [entry for entry in console_errors(self.driver) if "status of 401" not in entry["message"]]
        self.assertEqual(unexpected, [])


if __name__ == "__main__":
    unittest.main()
