"""The dashboard against a Producer that needs a write token (WRITE_TOKEN): the page asks for it
once, when the API first says it is needed, keeps it in sessionStorage (not localStorage) and
sends it with every POST from then on; a wrong one is refused and asked for again."""
import unittest

from browser import fail_on_csp_violations, wait_until
from dashboard_page import POLL_TIMEOUT
from stack_case import StackTestCase

WRITE_TOKEN = "browser-test-write-token-0123456789"


class WriteTokenInBrowserTest(StackTestCase):
    producer_settings = {"WRITE_TOKEN": WRITE_TOKEN}

    def setUp(self):
        fail_on_csp_violations(self)
        self.page.open()

    def dialog_open(self):
        return self.page.element("token-dialog").get_attribute("open") is not None

    def answer_dialog(self, token):
        wait_until(self.dialog_open, 10, "the page did not ask for the write token")
        field = self.page.element("token-input")
        field.clear()
        field.send_keys(token)
        self.page.element("token-save").click()

    def stored_tokens(self):
        return self.driver.execute_script(
            "return [sessionStorage.getItem('count-pipeline.write-token'), localStorage.length];")

    def send_and_wait(self):
        previous = self.page.newest_result()
        self.page.send_now()
        return previous

    def test_1_a_wrong_token_is_refused_and_forgotten(self):
        previous = self.send_and_wait()
        self.answer_dialog("not-the-token")
        result = self.page.wait_for_new_result(previous)
        self.assertEqual(result.get_attribute("data-kind"), "error", result.text)
        self.assertIn("write_token_invalid", result.text)
        self.assertEqual(self.stored_tokens(), [None, 0])

    def test_2_the_right_token_is_asked_once_and_kept_for_the_tab(self):
        previous = self.send_and_wait()
        self.answer_dialog(WRITE_TOKEN)
        result = self.page.wait_for_new_result(previous)
        self.assertEqual(result.get_attribute("data-kind"), "ok", result.text)
        self.assertEqual(self.stored_tokens(), [WRITE_TOKEN, 0])
        # The next send uses the kept token without asking.
        previous = self.send_and_wait()
        result = self.page.wait_for_new_result(previous)
        self.assertFalse(self.dialog_open(), "the page asked again although it had the token")
        self.assertEqual(result.get_attribute("data-kind"), "ok", result.text)
        self.page.wait_for_rows(2, "after two accepted sends")
        # Without the token the API still refuses: the page is not the only lock.
        status, body = self.stack.post_count("1")
        self.assertEqual((status, body["error"]), (401, "write_token_required"))
        wait_until(lambda: self.page.rows() == 2, POLL_TIMEOUT, "a refused POST added a row")


if __name__ == "__main__":
    unittest.main()
