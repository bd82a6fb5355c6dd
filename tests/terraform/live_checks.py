"""Checks of the Terragrunt tree that return the problems they find (empty list: all good).

Kept apart from the tests so a test can also run them on a deliberately broken copy.
"""

import re

from hcl_tree import ENVIRONMENTS, Tree, blocks, assigned_values, load, map_entries

SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|_KEY$", re.IGNORECASE)
SECRET_SOURCE = re.compile(r"^\"?\$\{dependency\.\w+\.outputs\.\w*secret_arn\}(:\w+::)?\"?$|^dependency\.\w+\.outputs\.\w*secret_arn$")


def ha_problems(tree: Tree, env: str) -> list:
    """What keeps `env` from being highly available."""
    problems = []
    want = _expectation(tree, env, problems)

    want("vpc", "availability_zones", lambda azs: len(azs) >= 3, "3 or more AZs")
    want("vpc", "one_nat_gateway_per_az", lambda v: v is True, "true")
    want("rds", "multi_az", lambda v: v is True, "true")
    want("rds", "deletion_protection", lambda v: v is True, "true")
    want("redis", "replica_count", lambda v: v >= 1, ">= 1")
    want("redis", "automatic_failover", lambda v: v is True, "true")
    want("redis", "multi_az", lambda v: v is True, "true")
    want("alb", "deletion_protection", lambda v: v is True, "true")
    for service in ("producer", "consumer"):
        want(service, "min_capacity", lambda v: v >= 2, ">= 2 tasks")
        want(service, "capacity_provider", lambda v: v == "FARGATE", "FARGATE (no Spot interruptions)")
    return problems


def cheapness_problems(tree: Tree, env: str) -> list:
    """What makes a non-production environment cost like production."""
    prod_retention = tree.env_locals("prod")["log_retention_days"]
    problems = []
    want = _expectation(tree, env, problems)

    want("vpc", "availability_zones", lambda azs: len(azs) == 2, "2 AZs")
    want("vpc", "one_nat_gateway_per_az", lambda v: v is False, "one shared NAT gateway")
    want("rds", "multi_az", lambda v: v is False, "false")
    want("rds", "deletion_protection", lambda v: v is False, "false")
    want("redis", "replica_count", lambda v: v == 0, "0")
    for service in ("producer", "consumer"):
        want(service, "min_capacity", lambda v: v == 1, "1 task")
    if tree.env_locals(env)["log_retention_days"] >= prod_retention:
        problems.append(f"{env}: log_retention_days should be shorter than prod's {prod_retention}")
    return problems


def missing_components(tree: Tree, components) -> list:
    return [
        f"{env}/{component}/terragrunt.hcl is missing"
        for env in ENVIRONMENTS
        for component in components
        if not tree.unit_path(env, component).is_file()
    ]


def dependency_problems(tree: Tree) -> list:
    """Every dependency block must carry mock outputs, usable for validate and plan only."""
    problems = []
    for path in tree.hcl_files:
        for name, block in _dependencies(path).items():
            where = f"{path.relative_to(tree.root)}: dependency {name}"
            if not block.get("mock_outputs"):
                problems.append(f"{where} has no mock_outputs")
            if block.get("mock_outputs_allowed_terraform_commands") != ["validate", "plan"]:
                problems.append(f"{where} must set mock_outputs_allowed_terraform_commands = [\"validate\", \"plan\"]")
    return problems


def mock_coverage_problems(tree: Tree) -> list:
    """Every `dependency.X.outputs.Y` a file reads must be a real output of X's module and be mocked."""
    problems = []
    for path in tree.hcl_files:
        dependencies = _dependencies(path)
        for name, output in set(re.findall(r"dependency\.(\w+)\.outputs\.(\w+)", path.read_text())):
            where = f"{path.relative_to(tree.root)}: dependency.{name}.outputs.{output}"
            if name not in dependencies:
                problems.append(f"{where} reads an undeclared dependency")
                continue
            component = dependencies[name]["config_path"].rsplit("/", 1)[-1]
            module = tree.module_of("prod", component)
            if output not in tree.outputs(module):
                problems.append(f"{where}: module {module} has no such output")
            if output not in dependencies[name].get("mock_outputs", {}):
                problems.append(f"{where} has no mock value")
    return problems


def plain_secret_problems(tree: Tree) -> list:
    """Task environments carry no secret; every `secrets` entry is a Secrets Manager ARN output."""
    problems = []
    for path in tree.hcl_files:
        text = path.read_text()
        where = path.relative_to(tree.root)
        for body in assigned_values(text, "environment_variables"):
            for key, value in map_entries(body).items():
                if SECRET_NAME.search(key) or "secret" in value.lower() or "password" in value.lower():
                    problems.append(f"{where}: environment variable {key} = {value} looks like a secret: use `secrets`")
        for body in assigned_values(text, "secrets"):
            for key, value in map_entries(body).items():
                if not SECRET_SOURCE.match(value):
                    problems.append(f"{where}: secret {key} = {value} is not a Secrets Manager ARN output")
    return problems


def _dependencies(path) -> dict:
    return blocks(load(path), "dependency")


def _expectation(tree: Tree, env: str, problems: list):
    """`want(component, input, is_ok, wanted)` records a problem when the effective input fails."""

    def want(component, name, is_ok, wanted):
        value = tree.effective_input(env, component, name)
        if not is_ok(value):
            problems.append(f"{env}/{component}: {name} = {value!r}, want {wanted}")

    return want
