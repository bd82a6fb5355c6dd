"""The Terragrunt tree: complete environments, safe dependency mocks, HA prod, no plain secrets."""

import re
import shutil

import pytest

from hcl_tree import COMPONENTS, ENVIRONMENTS, REPO_ROOT, Tree, blocks, assigned_values, load, map_entries
from live_checks import (
    cheapness_problems,
    dependency_problems,
    ha_problems,
    missing_components,
    mock_coverage_problems,
    plain_secret_problems,
    secrets_access_problems,
    task_settings,
    task_settings_problems,
)

TREE = Tree()
NON_PROD = [env for env in ENVIRONMENTS if env != "prod"]


@pytest.fixture
def broken_copy(tmp_path):
    """A copy of terraform/ that a test may edit."""
    copy = tmp_path / "terraform"
    shutil.copytree(TREE.root, copy, ignore=shutil.ignore_patterns(".terraform", ".terragrunt-cache"))
    return Tree(copy)


def replace_in(path, old, new):
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_every_environment_has_every_component():
    assert missing_components(TREE, COMPONENTS) == []


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_units_include_root_and_their_component_and_say_only_what_differs(env):
    for component in COMPONENTS:
        unit = TREE.unit(env, component)
        assert set(blocks(unit, "include")) == {"root", "component"}, f"{env}/{component}"
        assert set(unit) <= {"include", "inputs"}, f"{env}/{component} should only include and override inputs"
        module_variables = TREE.variables(TREE.module_of(env, component))
        unknown = set(unit.get("inputs", {})) - set(module_variables)
        assert not unknown, f"{env}/{component} sets inputs its module does not have: {unknown}"


def test_common_inputs_are_module_variables():
    for path in sorted((TREE.live_dir / "_common").glob("*.hcl")):
        inputs = load(path).get("inputs")
        if not isinstance(inputs, dict):
            continue  # program.hcl picks its inputs per unit with an expression
        component = path.stem
        unknown = set(inputs) - set(TREE.variables(TREE.module_of("prod", component)))
        assert not unknown, f"{path.name} sets inputs its module does not have: {unknown}"


def test_environments_declare_the_same_settings():
    keys = {env: set(TREE.env_locals(env)) for env in ENVIRONMENTS}
    assert all(found == keys["prod"] for found in keys.values()), keys
    assert {TREE.env_locals(env)["environment"] for env in ENVIRONMENTS} == set(ENVIRONMENTS)


def test_root_generates_the_provider_and_locked_encrypted_s3_state():
    root = load(TREE.live_dir / "root.hcl")
    state = blocks(root, "remote_state")
    assert state["backend"] == "s3"
    assert state["config"]["use_lockfile"] is True
    assert state["config"]["encrypt"] is True
    assert "provider" in blocks(root, "generate")
    assert root["terragrunt_version_constraint"].startswith("~>")


def test_every_dependency_has_mock_outputs_for_validate_and_plan_only():
    assert dependency_problems(TREE) == []


def test_dependency_outputs_exist_and_are_mocked():
    assert mock_coverage_problems(TREE) == []


def test_prod_is_highly_available():
    assert ha_problems(TREE, "prod") == []


@pytest.mark.parametrize("env", NON_PROD)
def test_other_environments_are_cheaper(env):
    assert cheapness_problems(TREE, env) == []


def test_no_plain_text_secret_in_task_environments():
    assert plain_secret_problems(TREE) == []


@pytest.mark.parametrize(("program", "expected"), [
    # The programs read their own credentials: only the secrets' ARNs are in the task definition.
    ("producer", {"DB_SECRET", "REDIS_SECRET"}),
    ("consumer", {"DB_SECRET", "REDIS_SECRET"}),
    ("db-setup", set()),
])
def test_programs_name_their_secrets_by_arn_for_them_to_read(program, expected):
    _, secret_environment, _ = task_settings(TREE, "prod", program)
    assert set(secret_environment) == expected


@pytest.mark.parametrize(("program", "expected"), [
    # ADMIN_TOKEN turns on the Producer's /admin routes (modules/admin-token); ECS injects it.
    ("producer", {"ADMIN_TOKEN"}),
    ("consumer", set()),
    # The one-off db-setup reads its settings once: the master secret and each program's current user.
    ("db-setup", {"DB_ADMIN_USER", "DB_ADMIN_PASSWORD", "PRODUCER_DB_USER", "PRODUCER_DB_PASSWORD",
                  "CONSUMER_DB_USER", "CONSUMER_DB_PASSWORD"}),
])
def test_only_what_the_programs_do_not_reread_is_injected_by_ecs(program, expected):
    _, _, secrets = task_settings(TREE, "prod", program)
    assert set(secrets) == expected


@pytest.mark.parametrize("env", ENVIRONMENTS)
@pytest.mark.parametrize("program", ["producer", "consumer", "db-setup"])
def test_no_task_has_db_or_redis_passwords_in_its_environment_or_secrets(env, program):
    environment, secret_environment, secrets = task_settings(TREE, env, program)
    for settings in (environment, secret_environment, secrets):
        assert not {"DB_PASSWORD", "REDIS_PASSWORD", "DB_USER", "REDIS_USERNAME"} & set(settings), (env, program, settings)


def test_db_setup_takes_each_programs_user_and_password_from_the_same_secret():
    _, _, secrets = task_settings(TREE, "prod", "db-setup")
    for program in ("producer", "consumer"):
        prefix = program.upper()
        arn = f"dependency.rds.outputs.{program}_secret_arn"
        assert secrets[f"{prefix}_DB_USER"] == f"${{{arn}}}:username::"
        assert secrets[f"{prefix}_DB_PASSWORD"] == f"${{{arn}}}:password::"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_rotation_in_stage_and_prod_and_a_secrets_manager_endpoint_where_needed(env):
    assert secrets_access_problems(TREE, env) == []


@pytest.mark.parametrize(("env", "rotated"), [("prod", True), ("stage", True), ("test", False), ("dev", False)])
def test_database_secrets_rotate_in_stage_and_prod_only(env, rotated):
    days = TREE.effective_input(env, "rds", "rotation_days")
    assert (days is not None) is rotated
    assert TREE.effective_input(env, "vpc-endpoints", "create") is rotated


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_database_tls_and_a_redis_user_of_their_own_for_each_program(env):
    assert task_settings_problems(TREE, env) == []


def test_the_ca_file_is_where_the_image_puts_the_rds_bundle():
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    ca_file = TREE.app_locals()["rds_ca_file"]
    assert re.search(rf"^ADD \$\{{RDS_CA_BUNDLE\}} {re.escape(ca_file)}$", dockerfile, re.M), ca_file
    assert "ARG RDS_CA_BUNDLE=https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem" in dockerfile


# ---- the checks above notice a broken tree ---------------------------------------------------

def test_ha_check_notices_a_single_az_database(broken_copy):
    replace_in(broken_copy.unit_path("prod", "rds"), "multi_az                 = true", "multi_az                 = false")
    assert any("multi_az" in problem for problem in ha_problems(broken_copy, "prod"))


def test_ha_check_notices_two_availability_zones(broken_copy):
    replace_in(broken_copy.live_dir / "prod" / "env.hcl", ', "eu-west-1c"]', "]")
    assert any("availability_zones" in problem for problem in ha_problems(broken_copy, "prod"))


def test_ha_check_notices_a_single_producer_task(broken_copy):
    replace_in(broken_copy.unit_path("prod", "producer"), "min_capacity = 2", "min_capacity = 1")
    assert any("producer: min_capacity" in problem for problem in ha_problems(broken_copy, "prod"))


def test_ha_check_notices_lifted_deletion_protection(broken_copy):
    replace_in(broken_copy.live_dir / "prod" / "env.hcl", "deletion_protection = true", "deletion_protection = false")
    problems = ha_problems(broken_copy, "prod")
    assert any("rds: deletion_protection" in problem for problem in problems)
    assert any("alb: deletion_protection" in problem for problem in problems)


def test_missing_component_is_noticed(broken_copy):
    shutil.rmtree(broken_copy.live_dir / "stage" / "alarms")
    assert missing_components(broken_copy, COMPONENTS) == ["stage/alarms/terragrunt.hcl is missing"]


def test_dependency_check_notices_mocks_that_could_leak_into_apply(broken_copy):
    replace_in(broken_copy.live_dir / "_common" / "rds.hcl", '["validate", "plan"]', '["validate", "plan", "apply"]')
    assert any("rds.hcl: dependency vpc" in problem for problem in dependency_problems(broken_copy))


def test_mock_check_notices_an_unmocked_output(broken_copy):
    replace_in(broken_copy.live_dir / "_common" / "alarms.hcl", "identifier = \"count-mock\"", "")
    assert any("dependency.rds.outputs.identifier has no mock value" in p for p in mock_coverage_problems(broken_copy))


def test_secret_check_notices_a_password_in_the_environment(broken_copy):
    replace_in(broken_copy.live_dir / "_common" / "program.hcl", 'LOG_FORMAT     = "json"', 'DB_PASSWORD = "hunter2"')
    assert any("DB_PASSWORD" in problem for problem in plain_secret_problems(broken_copy))


def test_secret_check_notices_a_literal_secret_value(broken_copy):
    replace_in(broken_copy.live_dir / "_common" / "program.hcl",
               "REDIS_SECRET = dependency.redis.outputs.producer_secret_arn", 'REDIS_SECRET = "hunter2"')
    assert any("REDIS_SECRET" in problem for problem in plain_secret_problems(broken_copy))


def test_secret_check_notices_a_password_injected_by_ecs(broken_copy):
    replace_in(broken_copy.live_dir / "_common" / "program.hcl", "ADMIN_TOKEN = dependency",
               "DB_PASSWORD = \"${dependency.rds.outputs.producer_secret_arn}:password::\"\n        ADMIN_TOKEN = dependency")
    assert any("DB_PASSWORD is injected by ECS" in problem for problem in plain_secret_problems(broken_copy))
    assert any(p.startswith("prod/producer: DB_PASSWORD is injected") for p in task_settings_problems(broken_copy, "prod"))


def test_secret_check_notices_a_json_key_in_a_secret_reference(broken_copy):
    replace_in(broken_copy.live_dir / "_common" / "program.hcl", "DB_SECRET    = dependency.rds.outputs.consumer_secret_arn",
               'DB_SECRET    = "${dependency.rds.outputs.consumer_secret_arn}:password::"')
    assert any("secret_environment DB_SECRET" in problem for problem in plain_secret_problems(broken_copy))


@pytest.mark.parametrize(("path", "old", "new", "noticed"), [
    ("prod/env.hcl", "db_secret_rotation_days = 30", "db_secret_rotation_days = null", "prod/rds: rotation_days"),
    ("stage/env.hcl", "secretsmanager_endpoint = true", "secretsmanager_endpoint = false", "stage/vpc-endpoints: create"),
    ("_common/rds.hcl", "outputs.db_rotation_security_group_id", "outputs.db_security_group_id", "prod/rds: rotation_security_group_id"),
])
def test_secrets_access_check_notices(broken_copy, path, old, new, noticed):
    replace_in(broken_copy.live_dir / path, old, new)
    env = noticed.split("/")[0]
    assert any(problem.startswith(noticed) for problem in secrets_access_problems(broken_copy, env))


def test_secrets_access_check_wants_an_endpoint_where_the_tasks_have_no_nat_gateway(broken_copy):
    vpc = broken_copy.modules_dir / "vpc" / "main.tf"
    vpc.write_text(vpc.read_text().replace('resource "aws_nat_gateway" "this"', 'resource "aws_instance" "nat"'))
    assert not broken_copy.has_nat_gateway("test")
    assert any("the tasks have no NAT gateway" in problem for problem in secrets_access_problems(broken_copy, "test"))
    assert secrets_access_problems(broken_copy, "prod") == [], "prod has the endpoint anyway"


@pytest.mark.parametrize(("old", "new", "noticed"), [
    ('DB_TLS         = "true"', 'DB_TLS         = "false"', "prod/db-setup: DB_TLS"),
    ("DB_TLS_CA_FILE = local.app.rds_ca_file", 'DB_TLS_CA_FILE = "/etc/ssl/certs/ca-certificates.crt"',
     "prod/consumer: DB_TLS_CA_FILE"),
    ("REDIS_SECRET = dependency.redis.outputs.producer_secret_arn",
     "REDIS_SECRET = dependency.redis.outputs.consumer_secret_arn", "prod/producer: secret_environment"),
    ("DB_SECRET    = dependency.rds.outputs.consumer_secret_arn",
     "DB_SECRET    = dependency.rds.outputs.producer_secret_arn", "prod/consumer: secret_environment"),
    ("HTTP_HOST     = \"0.0.0.0\"", "DB_PASSWORD   = \"hunter2\"", "prod/producer: DB_PASSWORD is in plain"),
    ("HTTP_HOST             = \"0.0.0.0\"", "DB_USER               = \"count_consumer\"", "prod/consumer: DB_USER is in `environment`"),
])
def test_task_settings_check_notices(broken_copy, old, new, noticed):
    replace_in(broken_copy.live_dir / "_common" / "program.hcl", old, new)
    assert any(problem.startswith(noticed) for problem in task_settings_problems(broken_copy, "prod"))


def test_task_settings_check_notices_a_shared_redis_token(broken_copy):
    replace_in(broken_copy.live_dir / "_common" / "redis.hcl", '"rbac"', '"auth_token"')
    assert any("auth_mode" in problem for problem in task_settings_problems(broken_copy, "test"))


@pytest.mark.parametrize(("env", "enabled"), [("prod", True), ("stage", True), ("test", False), ("dev", False)])
def test_waf_is_on_in_stage_and_prod_and_optional_elsewhere(env, enabled):
    settings = TREE.env_locals(env)
    assert settings["waf_enabled"] is enabled
    assert 10 <= settings["waf_post_count_limit_per_minute"] <= 100_000
