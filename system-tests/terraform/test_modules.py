"""The modules: layout, documented variables and outputs, pinned versions, hardened tasks."""

import re

import pytest

from hcl_tree import MODULE_FILES, MODULES, Tree, blocks, load
from module_docs import render

TREE = Tree()


def module_text(module: str) -> str:
    return "\n".join(path.read_text() for path in sorted((TREE.modules_dir / module).glob("*.tf")))


@pytest.mark.parametrize("module", MODULES)
def test_module_has_the_five_files(module):
    missing = [name for name in MODULE_FILES if not (TREE.modules_dir / module / name).is_file()]
    assert missing == []


@pytest.mark.parametrize("module", MODULES)
def test_every_variable_has_type_and_description(module):
    variables = TREE.variables(module)
    assert variables, f"{module} declares no variables"
    for name, variable in variables.items():
        assert variable.get("type"), f"{module}: variable {name} has no type"
        assert len(variable.get("description", "")) >= 10, f"{module}: variable {name} has no real description"


@pytest.mark.parametrize("module", MODULES)
def test_every_output_has_a_description(module):
    outputs = TREE.outputs(module)
    assert outputs, f"{module} declares no outputs"
    for name, output in outputs.items():
        assert output.get("description"), f"{module}: output {name} has no description"


@pytest.mark.parametrize("module", MODULES)
def test_versions_pin_terraform_and_every_provider_used(module):
    terraform = blocks(load(TREE.modules_dir / module / "versions.tf"), "terraform")
    assert terraform["required_version"] == ">= 1.11"
    providers = blocks(terraform, "required_providers")
    assert providers["aws"]["source"] == "hashicorp/aws"
    assert providers["aws"]["version"]
    uses_random = "resource \"random_" in module_text(module)
    assert ("random" in providers) == uses_random, f"{module}: declare hashicorp/random exactly when it is used"


@pytest.mark.parametrize("module", MODULES)
def test_main_resource_is_named_this(module):
    assert re.search(r'^resource "\w+" "this"', module_text(module), flags=re.M)


@pytest.mark.parametrize("module", MODULES)
def test_readme_tables_are_current(module):
    readme = (TREE.modules_dir / module / "README.md").read_text()
    assert render(TREE, module) in readme, (
        f"{module}/README.md is out of date: run system-tests/terraform/module_docs.py with python-hcl2"
    )


@pytest.mark.parametrize("pattern", [
    r'user\s+= "10001"',
    r"privileged\s+= false",
    r"readonlyRootFilesystem = true",
    r'containerPath = "/tmp"',
    r'command\s+= \["CMD", local\.binary, "healthcheck"\]',
    r'binary\s+= "/app/\$\{var\.program\}"',
    r'platform_version\s+= "LATEST"',
    r"enable_execute_command = false",
    r"assign_public_ip = false",
    r"rollback = true",
    r'logDriver = "awslogs"',
    r"retention_in_days = var\.log_retention_days",
])
def test_task_definition_is_hardened(pattern):
    assert re.search(pattern, module_text("ecs-service")), pattern


def test_task_environment_is_the_checked_variables_and_the_secret_references():
    text = module_text("ecs-service")
    (environment,) = re.findall(r"^\s*environment\s+= \[(.+)\]$", text, flags=re.M)
    assert "local.environment" in environment
    assert "environment = merge(var.environment_variables, local.secret_reference_environment)" in text
    # The references travel with what the program's Secrets Manager client needs, and only the ARNs.
    assert re.search(r"secret_reference_environment = local\.task_role \? merge\(var\.secret_environment, \{\s+"
                     r"AWS_REGION\s+= data\.aws_region\.current\.id\s+SECRET_REFRESH_S = tostring\(var\.secret_refresh_seconds\)", text)


def test_environment_variables_refuse_secret_names():
    validation = TREE.variables("ecs-service")["environment_variables"]["validation"][0]["condition"]
    refused = re.compile(re.search(r'regex\("([^"]+)"', validation).group(1))
    for name in ("DB_PASSWORD", "REDIS_PASSWORD", "ORIGIN_SECRET", "AUTH_TOKEN", "API_KEY", "DB_SECRET"):
        assert refused.search(name), name
    for name in ("DB_HOST", "REDIS_TLS", "HTTP_PORT", "METRICS_EMF_NAMESPACE", "DB_USER"):
        assert not refused.search(name), name


def test_secret_environment_takes_whole_secret_arns_under_secret_names_only():
    checks = TREE.variables("ecs-service")["secret_environment"]["validation"]
    names = re.compile(re.search(r'regex\("([^"]+)"', checks[0]["condition"]).group(1))
    arns = re.compile(re.search(r'regex\("([^"]+)"', checks[1]["condition"]).group(1).replace("\\\\", "\\"))
    assert names.search("DB_SECRET") and names.search("REDIS_SECRET")
    assert not names.search("DB_PASSWORD") and not names.search("SECRET_REFRESH_S")
    assert arns.search("arn:aws:secretsmanager:eu-west-1:123456789012:secret:count-prod/db-producer-AbCdEf")
    assert not arns.search("arn:aws:secretsmanager:eu-west-1:123456789012:secret:count-prod/db-producer-AbCdEf:password::")
    assert not arns.search("hunter2")


def test_program_credentials_cannot_be_injected_by_ecs():
    checks = " ".join(check["condition"] for check in TREE.variables("ecs-service")["secrets"]["validation"])
    assert '"DB_PASSWORD"' in checks and '"REDIS_PASSWORD"' in checks


def test_execution_role_reads_only_the_injected_secrets():
    text = module_text("ecs-service")
    assert re.search(r'actions\s+= \["secretsmanager:GetSecretValue"\]\s+resources = statement\.value', text)
    assert "local.secret_arns" in text
    assert "for value_from in values(var.secrets)" in text
    assert '"secretsmanager:*"' not in text


def test_task_role_reads_exactly_the_secrets_the_program_names():
    text = module_text("ecs-service")
    assert "task_role_arn            = try(aws_iam_role.task[0].arn, null)" in text
    assert "program_secret_arns = sort(distinct(values(var.secret_environment)))" in text
    # One statement: GetSecretValue on those ARNs, nothing else, no wildcard.
    assert re.search(r'sid\s+= "ReadProgramSecrets"\s+actions\s+= \["secretsmanager:GetSecretValue"\]\s+'
                     r"resources = local\.program_secret_arns", text)
    # A customer-managed key may decrypt only on Secrets Manager's behalf.
    assert re.search(r'actions\s+= \["kms:Decrypt"\]\s+resources = statement\.value\s+condition \{\s+'
                     r'test\s+= "StringEquals"\s+variable = "kms:ViaService"\s+'
                     r'values\s+= \["secretsmanager\.\$\{data\.aws_region\.current\.id\}\.amazonaws\.com"\]', text)
    assert text.count('role   = aws_iam_role.task[0].id') == 1
    assert not re.search(r'resources\s+= \["\*"\]\s*\n\s*\}\s*\n\s*dynamic "statement" \{\s+for_each = length\(var\.secret_kms', text)


def test_database_secrets_rotate_with_alternating_users_in_the_vpc():
    text = module_text("rds")
    assert 'mariadb = "SecretsManagerRDSMariaDBRotationMultiUser"' in text
    assert 'mysql   = "SecretsManagerRDSMySQLRotationMultiUser"' in text
    assert "serverlessrepo:us-east-1:297356227824:applications/${local.rotation_application}" in text
    assert re.search(r"vpcSubnetIds\s+= join", text) and re.search(r"vpcSecurityGroupIds = var\.rotation_security_group_id", text)
    assert re.search(r"masterSecretArn\s+= aws_db_instance\.this\.master_user_secret\[0\]\.secret_arn", text)
    assert re.search(r'resource "aws_secretsmanager_secret_rotation" "app_user" \{.*?rotation_lambda_arn\s+= '
                     r"aws_serverlessapplicationrepository_cloudformation_stack\.rotation\[0\]\.outputs\.RotationLambdaARN", text, re.S)
    # The secret carries what the multi-user function needs; Terraform never rewrites a rotated value.
    assert "masterarn = aws_db_instance.this.master_user_secret[0].secret_arn" in text
    assert re.search(r'resource "aws_secretsmanager_secret_version" "app_user" \{.*?ignore_changes = \[secret_string\]', text, re.S)


def test_redis_secrets_name_their_user_and_survive_a_two_password_rotation():
    text = module_text("redis")
    assert re.search(r"username = user\.user_name\s+password = random_password\.credential\[program\]\.result\s+user_arn = user\.arn", text)
    assert re.search(r'resource "aws_elasticache_user" "program" \{.*?ignore_changes = \[authentication_mode\]', text, re.S)
    assert re.search(r'resource "aws_secretsmanager_secret_version" "credential" \{.*?ignore_changes = \[secret_string\]', text, re.S)


def test_secrets_manager_endpoint_uses_private_dns_and_its_own_group():
    text = module_text("vpc-endpoints")
    assert 'vpc_endpoint_type   = "Interface"' in text and "private_dns_enabled = true" in text
    assert TREE.variables("vpc-endpoints")["services"]["default"] == ["secretsmanager"]
    groups = module_text("security-groups")
    for source in ("producer", "consumer", "db_rotation"):
        assert re.search(rf'{source}_to_secretsmanager\s+= \{{ from = "{source}", to = "secretsmanager_endpoint", port = 443 \}}', groups)
    assert re.search(r'db_rotation_to_db = \{ from = "db_rotation", to = "db", port = var\.db_port \}', groups)


def test_consumer_scales_on_backlog_per_task():
    text = module_text("ecs-service")
    assert 'expression  = "depth / tasks"' in text
    assert 'metric_name = "QueueDepth"' in text and 'metric_name = "RunningTaskCount"' in text
    assert 'policy_type        = "StepScaling"' in text


@pytest.mark.parametrize(("module", "pattern"), [
    ("frontend", r"origin_access_control_id = aws_cloudfront_origin_access_control\.this\.id"),
    ("frontend", r'name = "Managed-CachingDisabled"'),
    ("frontend", r'name = "Managed-AllViewerExceptHostHeader"'),
    ("frontend", r'path_pattern\s+= "/api/\*"'),
    ("frontend", r'minimum_protocol_version\s+= "TLSv1\.2_2021"'),
    ("frontend", r'variable = "AWS:SourceArn"'),
    ("alb", r'status_code  = "403"'),
    ("alb", r"http_header_name = var\.origin_header_name"),
    ("security-groups", r'"com\.amazonaws\.global\.cloudfront\.origin-facing"'),
    ("rds", r"manage_master_user_password = true"),
    ("rds", r"storage_encrypted\s+= true"),
    ("redis", r"at_rest_encryption_enabled = true"),
    ("redis", r'value = "noeviction"'),
    ("waf", r'scope\s+= "CLOUDFRONT"'),
    ("waf", r"provider = aws\.us_east_1"),
    ("waf", r'name\s+= "aws-waf-logs-\$\{var\.name\}"'),
    ("waf", r"aggregate_key_type\s+= \"IP\""),
    ("waf", r'search_string\s+= "POST"'),
    ("waf", r'name\s+= "AWSManagedRulesCommonRuleSet"'),
    ("waf", r'name\s+= "AWSManagedRulesKnownBadInputsRuleSet"'),
    ("waf", r'name = "authorization"'),
    ("frontend", r"web_acl_id\s+= var\.web_acl_arn"),
    ("frontend", r"strict_transport_security \{"),
    ("frontend", r"for_each = var\.public_api_paths"),
    ("frontend", r'event_type   = "viewer-request"'),
    ("alb", r"port\s+= tostring\(var\.health_check_port\)"),
    ("security-groups", r"cidr_ipv4\s+= var\.vpc_cidr_block\s+ip_protocol\s+= \"tcp\"\s+from_port\s+= var\.producer_ops_port"),
])
def test_security_settings_are_in_place(module, pattern):
    assert re.search(pattern, module_text(module)), f"{module}: {pattern}"


def test_each_program_has_its_own_redis_user_with_the_tested_rules():
    # acl/<program>.tftpl is what the Swift integration tests apply to a real redis-server.
    text = module_text("redis")
    assert 'for program in ["producer", "consumer"]' in text
    assert 'templatefile("${path.module}/acl/${program}.tftpl", { queue = var.queue_name })' in text
    assert all((TREE.modules_dir / "redis" / "acl" / f"{p}.tftpl").is_file() for p in ("producer", "consumer"))
    variables, outputs = TREE.variables("redis"), TREE.outputs("redis")
    assert variables["user_names"]["default"] == {"producer": "producer", "consumer": "consumer"}
    assert {f"{p}_{o}" for p in ("producer", "consumer") for o in ("username", "secret_arn")} <= set(outputs)
    assert re.search(r'resource "random_password" "credential" \{\s+for_each = local\.credentials\s+length\s+= 64\s+special = false', text)


def test_checkov_skips_carry_a_reason():
    for module in MODULES:
        for skip in re.findall(r"#checkov:skip=.*", module_text(module)):
            assert re.match(r"#checkov:skip=CKV2?_AWS_\d+:.{20,}", skip), f"{module}: {skip}"


# RDS parameter group families of the engines the programs support (DESIGN.md: MariaDB 10.6+, MySQL 8.x and later).
RDS_PARAMETER_GROUP_FAMILIES = {"mariadb10.6", "mariadb10.11", "mariadb11.4", "mariadb11.8", "mysql8.0", "mysql8.4"}


def test_rds_offers_both_engines_at_their_current_long_term_release_with_the_matching_family():
    variables = TREE.variables("rds")
    engine_check = variables["engine"]["validation"][0]["condition"]
    assert '"mariadb"' in engine_check and '"mysql"' in engine_check
    locals_ = blocks(load(TREE.modules_dir / "rds" / "main.tf"), "locals")
    assert locals_["default_engine_version"] == {"mariadb": "11.4", "mysql": "8.4"}
    # The family is derived from engine and major.minor version, so the two can never disagree.
    assert "parameter_group_family" not in variables
    assert locals_["parameter_group_family"] == '${var.engine}${join(".", slice(split(".", local.engine_version), 0, 2))}'
    for engine, version in locals_["default_engine_version"].items():
        assert engine + ".".join(version.split(".")[:2]) in RDS_PARAMETER_GROUP_FAMILIES
    version_checks = " ".join(check["condition"] for check in variables["engine_version"]["validation"])
    assert ">= 8" in version_checks and ">= 6" in version_checks, "MySQL before 8.0 and MariaDB before 10.6 are refused"


def test_the_content_security_policy_at_the_edge_is_the_producers():
    """CloudFront's default policy is the one the Producer sends (and the browser tests enforce)."""
    edge = TREE.variables("frontend")["content_security_policy"]["default"]
    producer = (TREE.root.parent / "Sources/Producer/HTTP/SecurityHeadersMiddleware.swift").read_text()
    directives = re.findall(r'"((?:default|script|style|img|connect|object|base|form|frame)-[a-z-]+ [^"]+)"', producer)
    assert edge == "; ".join(directives)
