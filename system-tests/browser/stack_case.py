"""The base of the test classes that run the dashboard against a real stack of their own."""
import unittest

from browser import start_chromium
from dashboard_page import DashboardPage
from stack import LocalStack


class StackTestCase(unittest.TestCase):
    """Starts a LocalStack (with `producer_settings` added to the Producer's environment) and a
    chromium once per class, and stops both after its last test."""
    producer_settings = {}

    @classmethod
    def setUpClass(cls):
        cls.stack = LocalStack(**cls.producer_settings)
        try:
            cls.stack.start()
            cls.driver = start_chromium()
        except Exception:
            cls.stack.stop()
            raise
        cls.page = DashboardPage(cls.driver, cls.stack.url)

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.stack.stop()
