"""deploy.sh --action frontend, run for real against moto's S3 and CloudFront server on loopback.

The page is frontend/ plus fixture files, so every kind of file (html, js, css, svg, png, json,
nested folders) goes through the upload; each object is then read back with
`aws s3api head-object`.
"""

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from deploy_support import REPO, env_region

BUCKET = "count-pipeline-test-frontend"
# deploy.sh takes the test environment's region from its env.hcl; moto accepts any.
REGION = env_region("test")
NO_CACHE = "no-cache"
LONG_CACHE = "public, max-age=31536000, immutable"
EXPECTED_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".json": "application/json",
}
# The smallest valid PNG: a 1x1 transparent pixel.
PIXEL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def aws_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    return env


@pytest.fixture(scope="module")
def endpoint():
    port = free_port()
    server = subprocess.Popen(
        # scripts/test-deploy.sh points MOTO_SERVER at the cached venv's moto_server.
        [os.environ.get("MOTO_SERVER", "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, "moto_server exited at start"
                assert time.monotonic() < deadline, "moto_server did not listen within 30 s"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def aws(endpoint, *args):
    result = subprocess.run(
        ["aws", "--endpoint-url", endpoint, "--region", REGION, "--output", "json", *args],
        env=aws_env(), capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else {}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """frontend/ plus one file of each kind it lacks, and a hidden file that must stay home."""
    root = tmp_path_factory.mktemp("site")
    shutil.copytree(REPO / "frontend", root, dirs_exist_ok=True)
    (root / "img").mkdir(exist_ok=True)
    (root / "img" / "pixel.png").write_bytes(PIXEL_PNG)
    (root / "data").mkdir(exist_ok=True)
    (root / "data" / "sample.json").write_text('{"rows_count": 1}\n')
    (root / "help.html").write_text("<!doctype html><title>help</title>\n")
    (root / "css").mkdir(exist_ok=True)
    (root / "css" / "fixture.css").write_text("body { margin: 0; }\n")
    (root / ".DS_Store").write_text("not for upload")
    return root


def site_files(root):
    return sorted(
        str(path.relative_to(root)) for path in root.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    )


@pytest.fixture(scope="module")
def deployed(endpoint, site):
    """Creates the bucket and a distribution in moto, then runs the real upload once."""
    location = [] if REGION == "us-east-1" else ["--create-bucket-configuration", f"LocationConstraint={REGION}"]
    aws(endpoint, "s3api", "create-bucket", "--bucket", BUCKET, *location)
    distribution = aws(
        endpoint, "cloudfront", "create-distribution",
        "--origin-domain-name", f"{BUCKET}.s3.amazonaws.com", "--default-root-object", "index.html",
    )["Distribution"]["Id"]
    config_before = (REPO / "frontend" / "config.js").read_bytes()
    result = subprocess.run(
        [str(REPO / "deploy.sh"), "--env", "test", "--action", "frontend",
         "--endpoint-url", endpoint, "--bucket", BUCKET, "--distribution-id", distribution,
         "--frontend-dir", str(site)],
        env=aws_env(), stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert (REPO / "frontend" / "config.js").read_bytes() == config_before, "deploy.sh changed the work tree"
    return {"distribution": distribution, "output": result.stderr}


def test_fixture_covers_every_kind_of_file(site):
    kinds = {Path(name).suffix for name in site_files(site)}
    assert set(EXPECTED_TYPES) <= kinds, kinds


def test_exactly_the_page_files_are_uploaded(endpoint, site, deployed):
    listing = aws(endpoint, "s3api", "list-objects-v2", "--bucket", BUCKET)
    keys = sorted(item["Key"] for item in listing.get("Contents", []))
    assert keys == site_files(site)


def test_every_object_has_its_content_type_and_cache_control(endpoint, site, deployed):
    checked = 0
    for key in site_files(site):
        head = aws(endpoint, "s3api", "head-object", "--bucket", BUCKET, "--key", key)
        suffix = Path(key).suffix
        if suffix in EXPECTED_TYPES:
            assert head["ContentType"] == EXPECTED_TYPES[suffix], key
        revalidate = suffix == ".html" or key == "config.js"
        assert head["CacheControl"] == (NO_CACHE if revalidate else LONG_CACHE), key
        assert head["ContentLength"] == (site / key).stat().st_size or key == "config.js", key
        checked += 1
    print(f"checked {checked} objects")
    assert checked >= 8


def test_deployed_config_points_the_page_at_the_api(endpoint, deployed, tmp_path):
    target = tmp_path / "config.js"
    aws(endpoint, "s3api", "get-object", "--bucket", BUCKET, "--key", "config.js", str(target))
    assert 'window.COUNT_PIPELINE_CONFIG = { apiBase: "/api" };' in target.read_text()


def test_index_html_is_uploaded_last(deployed):
    uploads = [line for line in deployed["output"].splitlines() if " s3 cp " in line]
    assert uploads[-1].split(" s3 cp ")[1].split()[0].endswith("/index.html"), uploads[-1]


def test_cloudfront_invalidation_was_created(endpoint, deployed):
    listing = aws(endpoint, "cloudfront", "list-invalidations", "--distribution-id", deployed["distribution"])
    items = listing["InvalidationList"].get("Items", [])
    assert len(items) == 1
    invalidation = aws(endpoint, "cloudfront", "get-invalidation", "--distribution-id",
                       deployed["distribution"], "--id", items[0]["Id"])
    assert invalidation["Invalidation"]["InvalidationBatch"]["Paths"]["Items"] == ["/*"]
