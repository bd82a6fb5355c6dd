"""Shared helpers of the deploy tests (not conftest.py: other test folders may have one)."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def env_region(env):
    """The region an environment deploys to (aws_region in terraform/live/<env>/env.hcl)."""
    text = (REPO / "terraform/live" / env / "env.hcl").read_text()
    return re.search(r'^\s*aws_region\s*=\s*"([a-z0-9-]+)"', text, re.MULTILINE).group(1)
