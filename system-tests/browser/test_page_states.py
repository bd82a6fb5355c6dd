"""Page states the real stack cannot show on demand, against a scripted /api/stats:
an API error with its JSON message, the loading state, an empty database, a source that is down."""
import unittest

from browser import console_errors, wait_until
from scripted_server import stats
from stack_case import ScriptedServerTestCase


class PageStatesTest(ScriptedServerTestCase):
    def test_api_error_shows_its_message_then_recovers_to_empty_database(self):
        message = "Redis did not answer within 1 s; try again shortly."
        self.server.answer_stats(503, {"error": "redis_unavailable", "message": message}, {"Retry-After": "1"})
        self.driver.get(self.server.url + "/")
        wait_until(lambda: message in self.page.banner_text(), 10, "the API's error message is not in the banner")
        self.assertIn("answered with an error", self.page.banner_text())
        # No numbers yet: the page still says it is loading, rather than showing zeros.
        self.assertEqual(self.page.element("stats").get_attribute("aria-busy"), "true")
        self.assertEqual(self.page.element("stat-rows").text, "Loading…")

        self.server.answer_stats(200, stats())
        wait_until(lambda: self.page.banner_text() == "", 15, "the banner stayed after the API recovered")
        self.assertEqual(self.page.rows(), 0)
        self.assertEqual(self.page.element("stat-latest").text, "none yet")
        self.assertTrue(self.page.element("empty-note").is_displayed(), "no empty-database note")
        self.assertEqual(self.page.element("hostname").text, "scripted-host")
        # The 503s are logged by chromium as failed loads; nothing else may be.
        unexpected = [entry for entry in console_errors(self.driver) if "status of 503" not in entry["message"]]
        self.assertEqual(unexpected, [])

    def test_database_down_shows_missing_numbers_and_a_warning(self):
        self.server.answer_stats(200, stats(rows_count=None, latest_value=None, queue_depth=7,
                                            sources={"redis": "ok", "database": "unavailable"}))
        self.page.open()
        wait_until(lambda: "cannot reach the database" in self.page.banner_text(), 10, "no warning about the database")
        self.assertEqual(self.page.element("stat-rows").text, "—")
        self.assertEqual(self.page.element("stat-queue").text, "7")
        self.assertEqual(self.page.element("source-database").text, "unavailable")
        self.assertFalse(self.page.element("empty-note").is_displayed(), "an unknown count is not an empty database")

    def test_a_stuck_batch_is_announced_until_it_clears(self):
        self.server.answer_stats(200, stats(rows_count=5, latest_value=5, queue_depth=40, processing_depth=500,
                                            stuck_batches=1, stuck_for_ms=185_000))
        self.page.open()
        wait_until(lambda: "not reaching the database" in self.page.banner_text(), 10, "no warning about the stuck batch")
        self.assertIn("A consumer's batch has kept failing for 3 min", self.page.banner_text())
        self.server.answer_stats(200, stats(rows_count=545, latest_value=5))
        wait_until(lambda: self.page.banner_text() == "", 15, "the banner stayed after the batch went through")

    def test_a_paused_queue_is_announced_until_it_is_resumed(self):
        self.server.answer_stats(200, stats(rows_count=5, latest_value=5, queue_depth=12, paused=True,
                                            paused_since_ms=1_699_999_990_000))
        self.page.open()
        wait_until(lambda: "The queue is paused." in self.page.banner_text(), 10, "no paused banner")
        self.assertIn("until an operator resumes them", self.page.banner_text())
        self.server.answer_stats(200, stats(rows_count=17, latest_value=5, paused=False))
        wait_until(lambda: self.page.banner_text() == "", 15, "the banner stayed after the queue was resumed")

    def test_large_latest_value_is_shown_exactly(self):
        # Sent as a JSON number: JSON.parse alone would show 9223372036854775807 as ...800.
        self.server.answer_stats(200, stats(rows_count=3, latest_value=9223372036854775807))
        self.page.open()
        self.assertEqual(self.page.element("stat-latest").text, "9223372036854775807")


if __name__ == "__main__":
    unittest.main()
