"""What a person sees and does on the dashboard, in words the tests can use."""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from browser import wait_until

POLL_TIMEOUT = 30  # seconds for a value to travel page -> Producer -> Redis -> Consumer -> DB -> page


class DashboardPage:
    def __init__(self, driver, url):
        self.driver = driver
        self.url = url

    def open(self):
        self.driver.get(self.url + "/")
        wait_until(lambda: self.element("stats").get_attribute("aria-busy") == "false", POLL_TIMEOUT,
                   "the numbers never left the loading state")

    def element(self, element_id):
        return self.driver.find_element(By.ID, element_id)

    def stat(self, element_id):
        """The raw value behind a number on the page (None while it is missing)."""
        return self.element(element_id).get_attribute("data-value")

    def rows(self):
        value = self.stat("stat-rows")
        return None if value is None else int(value)

    def settled_rows(self):
        """Rows once this run's queue is empty and nothing is mid-insert, so no earlier send
        of this run can still land and be mistaken for the next one."""
        wait_until(lambda: self.stat("stat-queue") == "0" and self.stat("stat-processing") == "0", POLL_TIMEOUT,
                   "the queue never drained (queue or processing depth stayed above 0)")
        return self.rows()

    def wait_for_rows(self, at_least, message):
        return wait_until(lambda: (self.rows() or 0) >= at_least and self.rows(), POLL_TIMEOUT,
                          f"{message}: rows on the page never reached {at_least} (last seen {self.rows()})")

    def newest_result(self):
        found = self.driver.find_elements(By.CSS_SELECTOR, "#results li")
        return found[0] if found else None

    def wait_for_new_result(self, previous):
        """The result line that appears after `previous` (the newest line before acting)."""
        return wait_until(lambda: (newest := self.newest_result()) is not None and newest != previous and newest,
                          POLL_TIMEOUT, "no new line appeared under Results")

    def send_now(self):
        self.element("send-now").click()

    def send_custom(self, text):
        field = self.element("custom-value")
        field.clear()
        field.send_keys(text, Keys.ENTER)

    def start_burst(self, size):
        field = self.element("burst-size")
        field.clear()
        field.send_keys(str(size), Keys.ENTER)

    def banner_text(self):
        return self.element("banner").text.strip()

    def focused_id(self):
        return self.driver.switch_to.active_element.get_attribute("id")
