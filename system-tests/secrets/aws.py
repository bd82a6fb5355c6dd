"""moto's server as the suite's Secrets Manager, IAM and STS, on loopback, verifying every signature.

moto starts with INITIAL_NO_AUTH_ACTION_COUNT=0: from the first request on it checks each SigV4
signature against the IAM keys it holds and each action against their policies, as AWS does. Since
then nobody could create the first key, moto's own API lets exactly three calls through unchecked
(the administrator, its policy, its key); everything after that is signed with real keys again.
"""
import json
import os
import re
import subprocess
import sys
import urllib.request
from dataclasses import dataclass

import boto3

from programs import wait_until

REGION = "eu-west-1"
ACCOUNT = "123456789012"  # moto's default account
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
READ_SECRETS = {"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str
    session_token: str = None

    def environment(self):
        """The AWS_* variables an SDK (and the programs) take these from."""
        variables = {"AWS_ACCESS_KEY_ID": self.access_key_id, "AWS_SECRET_ACCESS_KEY": self.secret_access_key}
        if self.session_token:
            variables["AWS_SESSION_TOKEN"] = self.session_token
        return variables

    def with_secret_key(self, secret_access_key):
        return Credentials(self.access_key_id, secret_access_key, self.session_token)


def error_code(body):
    """The AWS error code of an answer: `__type` of the JSON protocols (`ResourceNotFoundException`,
    possibly prefixed with a namespace and `#`), or `<Code>` of the XML answer moto gives when
    authentication fails (`SignatureDoesNotMatch`, `AccessDenied`); None when there is neither."""
    try:
        document = json.loads(body)
        if isinstance(document, dict) and "__type" in document:
            return str(document["__type"]).rsplit("#", 1)[-1]
    except ValueError:
        pass
    match = re.search(r"<Code>([^<]+)</Code>", body)
    return match.group(1) if match else None


class Moto:
    def __init__(self, port, log_path):
        self.port = port
        self.endpoint = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.process = None
        self.admin = None

    def start(self):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                env={**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "0"}, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)
        if not wait_until(lambda: self.process.poll() is not None or self._answers(), 60, interval=0.2):
            raise RuntimeError(f"moto did not listen on {self.endpoint} within 60 s")
        if self.process.poll() is not None:
            raise RuntimeError(f"moto exited with {self.process.returncode} at start (log: {self.log_path})")
        self._bootstrap_administrator()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def _answers(self):
        try:
            with urllib.request.urlopen(f"{self.endpoint}/moto-api/data.json", timeout=1) as answer:
                return answer.status == 200
        except OSError:
            return False

    def _bootstrap_administrator(self):
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset-auth", data=b"3", method="POST",
                                         headers={"Content-Type": "text/plain"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            answer.read()
        iam = self.client("iam", Credentials("bootstrap", "bootstrap"))
        iam.create_user(UserName="suite-admin")
        iam.put_user_policy(UserName="suite-admin", PolicyName="all", PolicyDocument=json.dumps(ALLOW_ALL))
        key = iam.create_access_key(UserName="suite-admin")["AccessKey"]
        self.admin = Credentials(key["AccessKeyId"], key["SecretAccessKey"])

    def client(self, service, credentials=None):
        credentials = credentials or self.admin
        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id=credentials.access_key_id,
                            aws_secret_access_key=credentials.secret_access_key,
                            aws_session_token=credentials.session_token)

    def user_with_key(self, name, policy=None):
        """A new IAM user (with `policy` inline, or none at all) and its access key."""
        iam = self.client("iam")
        iam.create_user(UserName=name)
        if policy:
            iam.put_user_policy(UserName=name, PolicyName="suite", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return Credentials(key["AccessKeyId"], key["SecretAccessKey"])

    def role(self, name, policy):
        iam = self.client("iam")
        # The suite's administrator assumes it for the credentials endpoint (moto checks the trust policy).
        trust = {"Version": "2012-10-17",
                 "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/suite-admin"},
                                "Action": "sts:AssumeRole"}]}
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
        iam.put_role_policy(RoleName=name, PolicyName="suite", PolicyDocument=json.dumps(policy))
        return f"arn:aws:iam::{ACCOUNT}:role/{name}"

    def assume(self, role_arn, session_name):
        """Temporary credentials of `role_arn` (key, secret key, session token), as ECS hands a task."""
        answer = self.client("sts").assume_role(RoleArn=role_arn, RoleSessionName=session_name, DurationSeconds=900)
        issued = answer["Credentials"]
        return Credentials(issued["AccessKeyId"], issued["SecretAccessKey"], issued["SessionToken"])

    def put_secret(self, name, value):
        """Creates secret `name` or gives it a new current value (a str: SecretString as is; else JSON)."""
        text = value if isinstance(value, str) else json.dumps(value)
        secrets = self.client("secretsmanager")
        try:
            secrets.put_secret_value(SecretId=name, SecretString=text)
        except secrets.exceptions.ResourceNotFoundException:
            secrets.create_secret(Name=name, SecretString=text)

    def get_secret_value_signed_by_curl(self, credentials, secret_id):
        """GetSecretValue as the programs send it: curl's own SigV4 (`--aws-sigv4`, libcurl's
        CURLOPT_AWS_SIGV4), so this proves moto checks libcurl's signatures. (status, error code or None).
        The key goes to curl on stdin (a config file), not on its command line."""
        config = f'user = "{credentials.access_key_id}:{credentials.secret_access_key}"\n'
        if credentials.session_token:
            config += f'header = "X-Amz-Security-Token: {credentials.session_token}"\n'
        result = subprocess.run(
            ["curl", "-sS", "--max-time", "10", "--config", "-", "--aws-sigv4", f"aws:amz:{REGION}:secretsmanager",
             "-H", "X-Amz-Target: secretsmanager.GetSecretValue", "-H", "Content-Type: application/x-amz-json-1.1",
             "--data-binary", json.dumps({"SecretId": secret_id}), "-w", "\n%{http_code}", f"{self.endpoint}/"],
            input=config, capture_output=True, text=True, timeout=20)
        if result.returncode != 0:
            raise RuntimeError(f"curl failed: {result.stderr.strip()}")
        body, _, status = result.stdout.rpartition("\n")
        return int(status), error_code(body)
