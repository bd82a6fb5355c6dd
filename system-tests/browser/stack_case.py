"""The bases of the test classes that run the dashboard in chromium: against a real stack of their
own, or against the scripted server (page states the real stack cannot show on demand)."""
import unittest

from browser import fail_on_csp_violations, start_chromium
from dashboard_page import DashboardPage
from scripted_server import ScriptedServer
from stack import LocalStack


class ScriptedServerTestCase(unittest.TestCase):
    """Starts a ScriptedServer and a chromium once per class, fails any test that violates the
    page's Content-Security-Policy, and stops both after the class's last test."""

    @classmethod
    def setUpClass(cls):
        cls.server = ScriptedServer()
        cls.driver = start_chromium()
        cls.page = DashboardPage(cls.driver, cls.server.url)

    def setUp(self):
        fail_on_csp_violations(self)

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.server.close()


class StackTestCase(unittest.TestCase):
    """Starts a LocalStack (with `producer_settings` added to the Producer's environment) and a
    chromium once per class, and stops both after its last test. `prepare_stack` runs once the
    stack is up and before chromium starts: the place to put data the class's tests look at."""
    producer_settings = {}

    @classmethod
    def prepare_stack(cls):
        pass

    @classmethod
    def setUpClass(cls):
        cls.stack = LocalStack(**cls.producer_settings)
        try:
            cls.stack.start()
            cls.prepare_stack()
            cls.driver = start_chromium()
        except Exception:
            cls.stack.stop()
            raise
        cls.page = DashboardPage(cls.driver, cls.stack.url)

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.stack.stop()
