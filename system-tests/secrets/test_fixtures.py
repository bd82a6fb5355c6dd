"""Unit tests of the secrets suite's own pieces (run by scripts/test-secrets.sh before the scenarios):
what a scenario concludes from an AWS answer, a /metrics body or a credentials fetch must be right."""
import json
import os
import sys
import tempfile
import unittest
import urllib.error
import urllib.request
from datetime import datetime, timezone

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "faults"))

from aws import Credentials, error_code  # noqa: E402
from credentials_endpoint import CredentialsEndpoint  # noqa: E402
from fixture import Failure  # noqa: E402
from scenarios import nothing_sensitive_in_output  # noqa: E402
from secrets_stack import metric_value  # noqa: E402


class ErrorCodeTests(unittest.TestCase):
    def test_json_type_of_the_json_protocol(self):
        self.assertEqual(error_code('{"__type": "ResourceNotFoundException", "message": "m"}'),
                         "ResourceNotFoundException")

    def test_json_type_with_a_namespace(self):
        self.assertEqual(error_code('{"__type": "com.amazonaws.secretsmanager#ThrottlingException"}'),
                         "ThrottlingException")

    def test_xml_code_of_an_authentication_error(self):
        body = "<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code></Error></Errors></ErrorResponse>"
        self.assertEqual(error_code(body), "SignatureDoesNotMatch")

    def test_a_secret_value_is_no_error(self):
        self.assertIsNone(error_code('{"Name": "db", "SecretString": "{}"}'))
        self.assertIsNone(error_code("not an answer"))


class MetricValueTests(unittest.TestCase):
    body = "\n".join([
        "# TYPE count_pipeline_secret_fetches_total counter",
        'count_pipeline_secret_fetches_total{secret="db",outcome="ok"} 3',
        'count_pipeline_secret_fetches_total{secret="db",outcome="error"} 1',
        'count_pipeline_secret_fetches_total{outcome="ok",secret="redis"} 2',
        'count_pipeline_secret_age_seconds{secret="db"} 12.5',
        "count_pipeline_up 1",
    ])

    def test_labels_select_the_sample_in_any_order(self):
        self.assertEqual(metric_value(self.body, "count_pipeline_secret_fetches_total", secret="db", outcome="error"), 1)
        self.assertEqual(metric_value(self.body, "count_pipeline_secret_fetches_total", secret="redis", outcome="ok"), 2)
        self.assertEqual(metric_value(self.body, "count_pipeline_secret_age_seconds", secret="db"), 12.5)
        self.assertEqual(metric_value(self.body, "count_pipeline_up"), 1)

    def test_a_missing_sample_is_none_not_zero(self):
        self.assertIsNone(metric_value(self.body, "count_pipeline_secret_fetches_total", secret="redis",
                                       outcome="error"))
        self.assertIsNone(metric_value(self.body, "count_pipeline_secret_fetches"))


class CredentialsEndpointTests(unittest.TestCase):
    def setUp(self):
        issued = iter(range(1, 100))
        self.endpoint = CredentialsEndpoint(
            lambda path: Credentials(f"ASIA{next(issued):016d}", "secret-key", "session-token"), expires_in_s=315)
        self.endpoint.start()
        self.addCleanup(self.endpoint.stop)
        self.folder = tempfile.mkdtemp()
        self.token_file = os.path.join(self.folder, "token")
        self._write_token("first-token")
        self.endpoint.route("/fixed", token="fixed-token")
        self.endpoint.route("/file", token_file=self.token_file)

    def _write_token(self, token):
        with open(self.token_file, "w") as token_file:
            token_file.write(token + "\n")

    def _get(self, path, token):
        request = urllib.request.Request(self.endpoint.url(path), headers={"Authorization": token} if token else {})
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, None

    def test_the_right_token_gets_credentials_that_expire_as_set(self):
        status, document = self._get("/fixed", "fixed-token")
        self.assertEqual(status, 200)
        self.assertEqual(set(document), {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"})
        expiration = datetime.strptime(document["Expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        self.assertAlmostEqual((expiration - datetime.now(timezone.utc)).total_seconds(), 315, delta=5)
        self.assertEqual(len(self.endpoint.issued), 1)

    def test_a_wrong_or_missing_token_is_refused_and_recorded(self):
        self.assertEqual(self._get("/fixed", "other")[0], 403)
        self.assertEqual(self._get("/fixed", None)[0], 403)
        self.assertEqual(self._get("/unknown", "fixed-token")[0], 404)
        self.assertEqual([fetch.authorized for fetch in self.endpoint.fetches_of("/fixed")], [False, False])
        self.assertEqual(self.endpoint.issued, [])

    def test_a_token_file_is_read_at_each_request(self):
        self.assertEqual(self._get("/file", "first-token")[0], 200)
        self._write_token("second-token")
        self.assertEqual(self._get("/file", "first-token")[0], 403)
        self.assertEqual(self._get("/file", "second-token")[0], 200)
        self.assertEqual([fetch.authorized for fetch in self.endpoint.fetches_of("/file")], [True, False, True])



class OutputScanTests(unittest.TestCase):
    """The final scan must find a secret however a log wrote it, and a signature by its shape."""

    def _scan(self, content, sensitive=("abc/def+ghi",)):
        folder = tempfile.mkdtemp()
        os.makedirs(os.path.join(folder, "logs"))
        with open(os.path.join(folder, "logs", "producer.log"), "w") as log:
            log.write(content)
        fixture = type("ScanFixture", (), {"sensitive": set(sensitive), "run_dir": folder})()
        return nothing_sensitive_in_output(fixture, {})

    def test_clean_output_passes(self):
        self.assertIn("none found", self._scan('{"msg": "secret db has a new value"}\n')[0])

    def test_a_secret_is_found_verbatim_and_json_escaped(self):
        for written in ("abc/def+ghi", "abc\\/def+ghi"):
            with self.assertRaises(Failure, msg=written):
                self._scan(f'{{"msg": "login with {written}"}}\n')

    def test_a_signature_is_found_by_its_shape(self):
        with self.assertRaises(Failure):
            self._scan("Authorization: AWS4-HMAC-SHA256 Credential=AKIA/20261204/eu-west-1/secretsmanager/aws4_request\n")
        with self.assertRaises(Failure):
            self._scan("Signature=" + "0f" * 32 + "\n")


if __name__ == "__main__":
    unittest.main()
