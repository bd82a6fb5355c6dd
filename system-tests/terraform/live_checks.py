"""Checks of the Terragrunt tree that return the problems they find (empty list: all good).

Kept apart from the tests so a test can also run them on a deliberately broken copy.
"""

import re

from hcl_tree import ENVIRONMENTS, Tree, blocks, assigned_values, first_map, load, map_entries

SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|_KEY$", re.IGNORECASE)
SECRET_SOURCE = re.compile(r"^\"?\$\{dependency\.\w+\.outputs\.\w*secret_arn\}(:\w+::)?\"?$|^dependency\.\w+\.outputs\.\w*secret_arn$")
# A secret the program reads itself: the whole secret's ARN, no JSON key (the program reads the JSON).
SECRET_REFERENCE = re.compile(r"^dependency\.\w+\.outputs\.\w*secret_arn$")
# The programs' own credentials: never a value, never injected by ECS (a rotation could not reach a running task).
PROGRAM_CREDENTIALS = ("DB_USER", "DB_PASSWORD", "REDIS_USERNAME", "REDIS_PASSWORD")


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
                if key in PROGRAM_CREDENTIALS:
                    problems.append(f"{where}: {key} is injected by ECS: name the secret in secret_environment (DB_SECRET, REDIS_SECRET)")
        for body in assigned_values(text, "secret_environment"):
            for key, value in map_entries(body).items():
                if not key.endswith("_SECRET") or not SECRET_REFERENCE.match(value):
                    problems.append(f"{where}: secret_environment {key} = {value} must be *_SECRET = a whole secret's ARN output")
    return problems


PROGRAM_UNITS = ("producer", "consumer", "db-setup")
ROTATED_ENVIRONMENTS = ("stage", "prod")
REDIS_PROGRAMS = ("producer", "consumer")


def task_settings(tree: Tree, env: str, unit: str) -> tuple:
    """(environment, secret_environment, secrets) of a unit's task definition, as {NAME: HCL
    expression text}: the shared map of program.hcl's `environment_variables` merged with the
    unit's own, and the unit's `secret_environment` (ARNs the program reads itself) and `secrets`
    (injected by ECS). String literals lose their quotes; `local.app.X` becomes app.hcl's value."""
    unit_inputs = tree.unit(env, unit).get("inputs", {})
    overridden = {"environment_variables", "secret_environment", "secrets"} & set(unit_inputs)
    if overridden:
        raise AssertionError(f"{env}/{unit} overrides {sorted(overridden)}; keep them in _common/program.hcl")
    text = tree.common_path(env, unit).read_text()
    (environment_text,) = assigned_values(text, "environment_variables")
    (own_environment,) = assigned_values(environment_text, unit)
    environment = map_entries(first_map(environment_text)) | map_entries(own_environment)
    (section,) = [found for found in assigned_values(text, unit) if "program" in found]
    app = tree.app_locals()

    def resolve(value):
        value = re.sub(r"^local\.app\.(\w+)$", lambda match: str(app[match.group(1)]), value)
        return value[1:-1] if re.fullmatch(r'"[^"]*"', value) else value

    def entries(attribute):
        found = assigned_values(section, attribute)
        if len(found) > 1:
            raise AssertionError(f"{env}/{unit}: {attribute} is set {len(found)} times")
        return {key: resolve(value) for key, value in map_entries(found[0]).items()} if found else {}

    return (
        {key: resolve(value) for key, value in environment.items()},
        entries("secret_environment"),
        entries("secrets"),
    )


def task_settings_problems(tree: Tree, env: str) -> list:
    """The database over verified TLS for every program; for the Producer and the Consumer their
    own database and Redis secrets, named by ARN in DB_SECRET and REDIS_SECRET for the program to
    read itself (so each is held to its own grants and ACL rules, and a rotation reaches running
    tasks); no credential in plain `environment` or injected by ECS."""
    ca_file = tree.app_locals()["rds_ca_file"]
    problems = []
    for unit in PROGRAM_UNITS:
        environment, secret_environment, secrets = task_settings(tree, env, unit)
        where = f"{env}/{unit}"
        if environment.get("DB_TLS") != "true":
            problems.append(f"{where}: DB_TLS = {environment.get('DB_TLS')!r}, want \"true\"")
        if environment.get("DB_TLS_CA_FILE") != ca_file:
            problems.append(f"{where}: DB_TLS_CA_FILE = {environment.get('DB_TLS_CA_FILE')!r}, want {ca_file!r}")
        problems += [f"{where}: {key} is in plain `environment`" for key in environment if SECRET_NAME.search(key)]
        problems += [f"{where}: {key} is in `environment`; the user name is in the secret" for key in environment
                     if key in PROGRAM_CREDENTIALS]
        problems += [f"{where}: {key} is injected by ECS (`secrets`)" for key in secrets if key in PROGRAM_CREDENTIALS]
        if unit not in REDIS_PROGRAMS:
            if secret_environment:
                problems.append(f"{where}: secret_environment {sorted(secret_environment)}: db-setup reads no *_SECRET")
            continue
        wanted = {
            "DB_SECRET": f"dependency.rds.outputs.{unit}_secret_arn",
            "REDIS_SECRET": f"dependency.redis.outputs.{unit}_secret_arn",
        }
        if secret_environment != wanted:
            problems.append(f"{where}: secret_environment = {secret_environment!r}, want {wanted!r} (its own users and secrets)")
    auth_mode = tree.effective_input(env, "redis", "auth_mode")
    if auth_mode != "rbac":
        problems.append(f"{env}/redis: auth_mode = {auth_mode!r}, want \"rbac\" (one user per program)")
    return problems


def secrets_access_problems(tree: Tree, env: str) -> list:
    """Stage and prod rotate the programs' database secrets; wherever the tasks have no NAT gateway,
    or a rotation function runs in the VPC, Secrets Manager has an interface endpoint."""
    problems = []
    rotation_days = tree.effective_input(env, "rds", "rotation_days")
    endpoint = tree.effective_input(env, "vpc-endpoints", "create")
    if env in ROTATED_ENVIRONMENTS and not (isinstance(rotation_days, int) and 1 <= rotation_days <= 90):
        problems.append(f"{env}/rds: rotation_days = {rotation_days!r}, want 1-90 (automatic rotation)")
    if tree.effective_input(env, "rds", "rotation_security_group_id") != "${dependency.security_groups.outputs.db_rotation_security_group_id}":
        problems.append(f"{env}/rds: rotation_security_group_id is not the security-groups module's db_rotation group")
    if rotation_days is not None and endpoint is not True:
        problems.append(f"{env}/vpc-endpoints: create = {endpoint!r}, want true: the rotation function reaches Secrets Manager only through it")
    if not tree.has_nat_gateway(env) and endpoint is not True:
        problems.append(f"{env}/vpc-endpoints: create = {endpoint!r}, want true: the tasks have no NAT gateway")
    if endpoint is True and "secretsmanager" not in tree.effective_input(env, "vpc-endpoints", "services"):
        problems.append(f"{env}/vpc-endpoints: services lack secretsmanager")
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
