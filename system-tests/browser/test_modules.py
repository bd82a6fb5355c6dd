"""The page's pure JavaScript modules, run in the same chromium as the page.

A static server for frontend/ is enough here, so these run without the pipeline.
"""
import json
import unittest

from stack_case import ScriptedServerTestCase

# Each check imports its module in the page and hands its result back through `done`. The check's
# code is part of the script WebDriver runs (not a string the page evaluates), so the page's
# Content-Security-Policy, which forbids eval, holds here too.
RUN_MODULE_CODE = """
const done = arguments[arguments.length - 1];
import(%(path)s).then(async (module) => { %(code)s }).then(done, (error) => done({ thrown: String(error) }));
"""


class ModulesInBrowserTest(ScriptedServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.driver.set_script_timeout(10)
        # Load a page of that origin, so the modules import from the same origin as in real use.
        cls.driver.get(f"{cls.server.url}/favicon.svg")

    def run_in_module(self, module, code):
        """Runs `code` (a function body that gets `module` and returns a value or a promise)."""
        return self.driver.execute_async_script(RUN_MODULE_CODE % {"path": json.dumps(f"/js/{module}"), "code": code})

    def test_exact_json_keeps_64_bit_integers_exact(self):
        result = self.run_in_module("exact-json.js", r"""
            return module.parseJsonExact(
                '{"big": 9223372036854775807, "neg": -9007199254740993, "small": 42, "float": 1.5,'
                + ' "text": "say \\"9007199254740993\\"", "list": [1, 12345678901234567890]}');
        """)
        self.assertEqual(result, {"big": "9223372036854775807", "neg": "-9007199254740993", "small": 42,
                                  "float": 1.5, "text": 'say "9007199254740993"',
                                  "list": [1, "12345678901234567890"]})

    def test_integer_input_accepts_integers_and_refuses_the_rest(self):
        result = self.run_in_module("integer-input.js", """
            return ["42", " -7 ", "+007", "-0", "1 000", "9223372036854775808",
                    "", "12.5", "1e3", "abc", "--1", "0x10"].map((text) => module.parseIntegerInput(text));
        """)
        accepted = [entry.get("digits") for entry in result[:6]]
        self.assertEqual(accepted, ["42", "-7", "7", "0", "1000", "9223372036854775808"])
        for entry in result[6:]:
            self.assertFalse(entry["ok"], entry)
            self.assertTrue(entry["message"], entry)

    def test_write_token_asks_once_for_requests_refused_together(self):
        result = self.run_in_module("write-token.js", """
            const store = new Map();
            const storage = { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, v),
                              removeItem: (k) => store.delete(k) };
            const asked = [];
            const token = module.createWriteToken({ storage, ask: async (reason) => { asked.push(reason); return " t1 "; } });
            const together = await Promise.all([token.renew(null, "needed"), token.renew(null, "needed")]);
            const kept = token.current();
            token.forget("t1");
            const declined = await module.createWriteToken({ storage, ask: async () => null }).renew(null, "again");
            return { together, kept, asked, afterForget: token.current(), declined,
                     refusal: module.isTokenRefusal({ name: "ApiError", status: 401, code: "write_token_invalid" }),
                     other: module.isTokenRefusal({ name: "ApiError", status: 401, code: "unauthorized" }) };
        """)
        self.assertEqual(result, {"together": ["t1", "t1"], "kept": "t1", "asked": ["needed"], "afterForget": None,
                                  "declined": None, "refusal": True, "other": False})

    def test_backoff_grows_and_stays_under_its_cap(self):
        result = self.run_in_module("backoff.js", """
            return [0, 1, 2, 3, 10, 50].map((attempt) =>
                [module.backoffDelay(attempt, { random: () => 0 }), module.backoffDelay(attempt, { random: () => 1 })]);
        """)
        self.assertEqual(result, [[500, 1000], [1000, 2000], [2000, 4000], [4000, 8000],
                                  [7500, 15000], [7500, 15000]])

    def test_history_rate_counts_rows_per_second_and_breaks_on_gaps(self):
        result = self.run_in_module("history.js", """
            const history = module.createHistory();
            history.add({ timeMs: 0, rows: 100, queue: 5 });
            history.add({ timeMs: 2000, rows: 140, queue: 1 });
            const steady = history.currentRate();
            history.add({ timeMs: 60000, rows: 200, queue: 0 });
            return { steady, series: history.series(), afterGap: history.currentRate() };
        """)
        self.assertEqual(result["steady"], 20)
        self.assertEqual([point["value"] for point in result["series"]["rate"]], [20, None])
        self.assertEqual([point["value"] for point in result["series"]["queue"]], [5, 1, 0])
        self.assertIsNone(result["afterGap"])

    def test_burst_counts_failures_and_stops_when_unreachable_or_cancelled(self):
        result = self.run_in_module("burst.js", """
            const fail = (name, retryAfterSeconds) => Object.assign(new Error(name), { name, retryAfterSeconds });
            const sent = [];
            const mixed = await module.runBurst({
                total: 20, concurrency: 3, signal: new AbortController().signal, onProgress: () => {},
                send: async (i) => { sent.push(i); if (i === 4 || i === 9) throw fail("ApiError"); },
            });
            const down = await module.runBurst({
                total: 100, concurrency: 3, signal: new AbortController().signal, onProgress: () => {},
                send: async (i) => { if (i === 5) throw fail("UnreachableError"); },
            });
            const controller = new AbortController();
            const cancelled = await module.runBurst({
                total: 100, concurrency: 2, signal: controller.signal, onProgress: (p) => { if (p.done === 10) controller.abort(); },
                send: () => new Promise((resolve) => setTimeout(resolve, 1)),
            });
            return { mixed, sentSorted: sent.sort((a, b) => a - b), down, cancelled };
        """)
        mixed = result["mixed"]
        self.assertEqual((mixed["succeeded"], mixed["failed"], mixed["done"], mixed["stopped"]), (18, 2, 20, None))
        self.assertEqual(result["sentSorted"], list(range(1, 21)))
        self.assertEqual(result["down"]["stopped"], "unreachable")
        self.assertLess(result["down"]["done"], 100)
        self.assertEqual(result["cancelled"]["stopped"], "cancelled")
        self.assertLess(result["cancelled"]["done"], 100)

    def test_history_answers_become_chart_points_and_sums(self):
        result = self.run_in_module("history-panel.js", """
            const answer = { start_ms: 1000, step_seconds: 60, series: {} };
            return { points: module.historyPoints(answer, [3, 0, 5]), sum: module.sumSeries([1, 2, 3], [10, 0, 1]) };
        """)
        self.assertEqual(result["points"], [{"timeMs": 1000, "value": 3}, {"timeMs": 61000, "value": 0},
                                            {"timeMs": 121000, "value": 5}])
        self.assertEqual(result["sum"], [11, 2, 4])

    def test_dead_letter_previews_are_cut_and_selectors_become_request_bodies(self):
        preview = self.run_in_module("dead-letters.js", """
            return [module.preview("short"), module.preview("x".repeat(200)).length, module.PREVIEW_LENGTH];
        """)
        self.assertEqual(preview, ["short", 81, 80])
        bodies = self.run_in_module("admin.js", 'return [module.selectorBody("all"), module.selectorBody("max_deliveries")];')
        self.assertEqual(bodies, [{"all": True}, {"kind": "max_deliveries"}])


if __name__ == "__main__":
    unittest.main()
