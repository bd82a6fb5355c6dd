"""Reads terraform/modules and the Terragrunt tree in terraform/live as plain data (python-hcl2).

The checks in this folder take a `Tree` rooted at any copy of terraform/, so a test can break a
copy on purpose and prove that a check notices.
"""

import re
from functools import cached_property, lru_cache
from pathlib import Path

import hcl2

REPO_ROOT = Path(__file__).resolve().parents[2]
TERRAFORM_DIR = REPO_ROOT / "terraform"

ENVIRONMENTS = ("test", "dev", "stage", "prod")
MODULES = (
    "vpc", "security-groups", "vpc-endpoints", "ecr", "ecs-cluster", "ecs-service", "alb", "redis", "rds", "frontend", "alarms",
    "admin-token", "waf",
)
COMPONENTS = (
    "vpc", "security-groups", "vpc-endpoints", "ecr", "ecs-cluster", "redis", "rds", "alb", "admin-token",
    "producer", "consumer", "db-setup", "frontend", "alarms", "waf",
)
MODULE_FILES = ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md")

_OPTIONS = hcl2.SerializationOptions(with_comments=False, explicit_blocks=False, strip_string_quotes=True)
_ENV_REFERENCE = re.compile(r"^\$\{(!?)local\.env\.(\w+)\}$")
_COMMON_INCLUDE = re.compile(r"/_common/([\w-]+)\.hcl")
_MODULE_SOURCE = re.compile(r"/modules//([\w-]+)")


def load(path: Path) -> dict:
    return _parse(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=None)
def _parse(path: Path, _mtime_ns: int) -> dict:
    with path.open() as handle:
        return hcl2.load(handle, serialization_options=_OPTIONS)


def blocks(document: dict, kind: str) -> dict:
    """All blocks of one kind merged: labelled ones (`variable "x" {}`, a list of {label: body}
    in python-hcl2) as {label: body}, unlabelled ones (`locals {}`) as their attributes."""
    merged = {}
    for block in document.get(kind, []):
        merged.update(block)
    return merged


class Tree:
    """One copy of terraform/: its modules and its live environments."""

    def __init__(self, root: Path = TERRAFORM_DIR):
        self.root = root
        self.modules_dir = root / "modules"
        self.live_dir = root / "live"

    # ---- modules ---------------------------------------------------------------------------
    def module_blocks(self, module: str, kind: str) -> dict:
        found = {}
        for path in sorted((self.modules_dir / module).glob("*.tf")):
            found.update(blocks(load(path), kind))
        return found

    def variables(self, module: str) -> dict:
        return self.module_blocks(module, "variable")

    def outputs(self, module: str) -> dict:
        return self.module_blocks(module, "output")

    # ---- live tree -------------------------------------------------------------------------
    def unit_path(self, env: str, component: str) -> Path:
        return self.live_dir / env / component / "terragrunt.hcl"

    def unit(self, env: str, component: str) -> dict:
        return load(self.unit_path(env, component))

    def env_locals(self, env: str) -> dict:
        return blocks(load(self.live_dir / env / "env.hcl"), "locals")

    def app_locals(self) -> dict:
        """Facts about the programs every environment shares (live/app.hcl)."""
        return blocks(load(self.live_dir / "app.hcl"), "locals")

    def common_path(self, env: str, component: str) -> Path:
        """The _common/*.hcl file a unit includes as "component"."""
        include = blocks(self.unit(env, component), "include")["component"]
        return self.live_dir / "_common" / f"{_COMMON_INCLUDE.search(include['path']).group(1)}.hcl"

    def common(self, env: str, component: str) -> dict:
        return load(self.common_path(env, component))

    def module_of(self, env: str, component: str) -> str:
        source = blocks(self.common(env, component), "terraform")["source"]
        return _MODULE_SOURCE.search(source).group(1)

    @cached_property
    def hcl_files(self) -> list:
        return sorted(self.live_dir.rglob("*.hcl"))

    def effective_input(self, env: str, component: str, name: str):
        """What the module receives for `name`: the unit's inputs, else its _common file's
        (with `local.env.X` looked up in env.hcl), else the module variable's default."""
        unit_inputs = self.unit(env, component).get("inputs", {})
        if name in unit_inputs:
            return unit_inputs[name]
        common_inputs = self.common(env, component).get("inputs", {})
        if isinstance(common_inputs, dict) and name in common_inputs:
            return self._resolve(env, common_inputs[name])
        variable = self.variables(self.module_of(env, component))[name]
        if "default" not in variable:
            raise KeyError(f"{env}/{component}: {name} has no value and no default")
        return variable["default"]

    def has_nat_gateway(self, env: str) -> bool:
        """Whether the private subnets of `env` route to a NAT gateway: the vpc module makes one
        (at least one; one per AZ with one_nat_gateway_per_az) unless an input turns NAT off."""
        module = self.module_of(env, "vpc")
        if "aws_nat_gateway" not in self.module_blocks(module, "resource"):
            return False
        switch = next((name for name in ("enable_nat_gateway", "nat_gateway_enabled") if name in self.variables(module)), None)
        return switch is None or self.effective_input(env, "vpc", switch) is True

    def _resolve(self, env: str, value):
        match = _ENV_REFERENCE.match(value) if isinstance(value, str) else None
        if not match:
            return value
        resolved = self.env_locals(env)[match.group(2)]
        return (not resolved) if match.group(1) else resolved


def assigned_values(text: str, attribute: str) -> list:
    """The text of every value assigned to `attribute` (or `"attribute"`) in HCL text: a map
    `{ ... }` or a call such as `merge(...)`, up to its matching bracket."""
    values = []
    for match in re.finditer(rf'(?<![\w-])"?{re.escape(attribute)}"?\s*=\s*(?=[\w{{])', text):
        depth, position = 0, match.end()
        while True:
            character = text[position]
            depth += {"{": 1, "(": 1, "[": 1, "}": -1, ")": -1, "]": -1}.get(character, 0)
            position += 1
            if depth == 0 and (character in "})]" or character == "\n"):
                break
        values.append(text[match.end():position])
    return values


def first_map(text: str) -> str:
    """The first `{ ... }` in HCL text, up to its matching bracket."""
    start = text.index("{")
    depth = 0
    for position in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[position], 0)
        if depth == 0:
            return text[start:position + 1]
    raise ValueError("unbalanced map")


def map_entries(body: str) -> dict:
    """`KEY = value` lines of HCL map text; lines that open a nested map are left out."""
    entries = re.findall(r"^\s*\"?([A-Za-z_][\w-]*)\"?\s*=\s*(.+?)\s*$", body, flags=re.M)
    return {key: value for key, value in entries if not value.startswith("{")}
