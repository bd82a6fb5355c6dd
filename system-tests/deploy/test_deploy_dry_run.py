"""deploy.sh's argument handling, prerequisite checks and --dry-run, with no AWS and no cloud.

Stand-ins for aws, terragrunt, terraform, docker and curl come first on PATH and log every call,
so "--dry-run runs nothing" is checked by the log staying empty.
"""

import os
import re
import stat
import subprocess

import pytest
from deploy_support import REPO, env_region

DEPLOY = REPO / "deploy.sh"
RECORDED_TOOLS = ("aws", "terragrunt", "terraform", "docker", "curl")


@pytest.fixture
def stub_path(tmp_path):
    """A bin directory of logging stand-ins; returns (PATH value, log file)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    for tool in RECORDED_TOOLS:
        stub = bin_dir / tool
        stub.write_text(f'#!/bin/sh\necho "{tool} $*" >> "{log}"\n')
        stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    return f"{bin_dir}:{os.environ['PATH']}", log


def deploy(*args, path=None, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(env_extra or {})
    if path:
        env["PATH"] = path
    return subprocess.run(
        [str(DEPLOY), *args], env=env, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=60,
    )


def commands(result):
    """The `+ …` lines deploy.sh printed, i.e. the commands it would run."""
    return [line[2:] for line in result.stderr.splitlines() if line.startswith("+ ")]


def dry_run(action, stub_path, *extra):
    path, log = stub_path
    result = deploy("--env", "dev", "--region", "eu-west-1", "--action", action, "--dry-run", *extra, path=path)
    assert result.returncode == 0, result.stderr
    assert not log.exists(), f"--dry-run ran: {log.read_text()}"
    return commands(result)


def assert_in_order(lines, patterns):
    """Each pattern matches some line, and in the given order."""
    position = 0
    for pattern in patterns:
        for index in range(position, len(lines)):
            if re.search(pattern, lines[index]):
                position = index + 1
                break
        else:
            raise AssertionError(f"no command matching {pattern!r} after line {position}:\n" + "\n".join(lines))


def test_help_lists_every_action():
    result = deploy("--help")
    assert result.returncode == 0
    for action in ("plan", "apply", "destroy", "frontend", "smoke", "outputs", "admin"):
        assert re.search(rf"^\s+{action}\s", result.stdout, re.MULTILINE), action


@pytest.mark.parametrize(
    "args, message",
    [
        ((), "--env is required"),
        (("--env", "qa", "--action", "plan"), "--env 'qa' is not one of"),
        (("--env", "dev"), "--action is required"),
        (("--env", "dev", "--action", "deploy"), "--action 'deploy' is not one of"),
        (("--env", "dev", "--action", "plan", "--bogus"), "unknown argument '--bogus'"),
        (("--env", "dev", "--action", "plan", "--region"), "--region needs a value"),
        (("--env", "dev", "--action", "admin"), "--action admin needs the subcommand after --"),
        (("--env", "dev", "--action", "admin", "--", "db-setup"), "runs 'dead-letters ...' or 'queue ...', not 'db-setup'"),
        (("--env", "dev", "--action", "plan", "--", "queue", "status"), "arguments after -- are only for --action admin"),
    ],
)
def test_bad_arguments_fail_with_one_clear_line(args, message):
    result = deploy(*args)
    assert result.returncode != 0
    assert message in result.stderr


def test_missing_tools_are_named(tmp_path):
    # Only bash's own directory: aws, terragrunt, docker and jq are all absent.
    bare = tmp_path / "bare"
    bare.mkdir()
    for tool in ("bash", "dirname", "mktemp", "rm", "sed", "head"):
        (bare / tool).symlink_to(subprocess.check_output(["which", tool], text=True).strip())
    result = deploy("--env", "dev", "--region", "eu-west-1", "--action", "frontend", "--bucket", "b",
                    "--skip-invalidation", path=str(bare))
    assert result.returncode != 0
    assert "missing on PATH for --action frontend: aws jq" in result.stderr


def test_region_is_required_where_no_environment_names_one(stub_path, tmp_path):
    # A copy of deploy.sh beside no terraform/ tree: no env.hcl to take the region from.
    lone = tmp_path / "deploy.sh"
    lone.write_bytes(DEPLOY.read_bytes())
    lone.chmod(0o755)
    result = subprocess.run(
        [str(lone), "--env", "dev", "--action", "frontend", "--bucket", "b", "--skip-invalidation"],
        env={"PATH": stub_path[0]}, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "--region is required for --action frontend" in result.stderr


def test_region_defaults_to_the_environments_own(stub_path):
    path, _ = stub_path
    result = deploy("--env", "dev", "--action", "frontend", "--bucket", "b", "--skip-invalidation",
                    "--dry-run", path=path)
    assert result.returncode == 0, result.stderr
    assert f"aws --region {env_region('dev')} s3 cp " in result.stderr


def test_a_region_other_than_the_environments_is_refused(stub_path):
    other = "ap-southeast-2" if env_region("prod") != "ap-southeast-2" else "us-west-2"
    result = deploy("--env", "prod", "--region", other, "--action", "plan", path=stub_path[0])
    assert result.returncode != 0
    assert f"--region {other} differs from aws_region" in result.stderr


def test_destroy_without_yes_refuses_when_nobody_can_answer(stub_path, tmp_path):
    path, log = stub_path
    result = deploy("--env", "test", "--region", "eu-west-1", "--action", "destroy", path=path)
    assert result.returncode != 0
    assert "needs --yes" in result.stderr
    assert not log.exists(), log.read_text()


@pytest.mark.parametrize("action", ["plan", "destroy"])
def test_plan_and_destroy_dry_run(stub_path, action):
    lines = dry_run(action, stub_path, "--image-tag", "abc123")
    assert lines == [
        "export TF_VAR_image_tag=abc123",
        f"terragrunt run --all --non-interactive --working-dir {REPO}/terraform/live/dev -- {action}",
    ]


@pytest.mark.parametrize("action", ["plan", "apply", "destroy"])
def test_every_terraform_action_exports_the_image_tag_before_terragrunt_runs(stub_path, action):
    """image_tag has no default: without TF_VAR_image_tag, plan and destroy would stop at a prompt."""
    lines = dry_run(action, stub_path, "--image-tag", "abc123")
    all_units = [index for index, line in enumerate(lines) if line.startswith("terragrunt run --all ")]
    assert lines.count("export TF_VAR_image_tag=abc123") == 1, lines
    assert all_units and lines.index("export TF_VAR_image_tag=abc123") < all_units[0], lines


@pytest.mark.parametrize("action", ["plan", "apply", "destroy"])
def test_the_default_image_tag_is_the_commit_for_every_terraform_action(stub_path, action):
    commit = subprocess.check_output(["git", "-C", str(REPO), "rev-parse", "--short=12", "HEAD"], text=True).strip()
    exports = [line for line in dry_run(action, stub_path) if line.startswith("export TF_VAR_image_tag=")]
    assert len(exports) == 1, exports
    assert re.fullmatch(rf"export TF_VAR_image_tag={commit}(-dirty\.\d{{14}})?", exports[0]), exports


def test_apply_builds_the_image_with_the_rds_ca_bundle_from_its_default_url(stub_path):
    (build,) = [line for line in dry_run("apply", stub_path, "--image-tag", "abc123") if line.startswith("docker build ")]
    assert "RDS_CA_BUNDLE" not in build, "a deployed image must carry Amazon's bundle, not a stand-in"


def test_apply_dry_run_covers_the_whole_deployment(stub_path):
    lines = dry_run("apply", stub_path, "--image-tag", "abc123")
    assert_in_order(lines, [
        r"^terragrunt run .*live/dev/ecr -- apply -auto-approve$",
        r"^docker build --tag count-pipeline:abc123 ",
        r"^aws --region eu-west-1 ecr get-login-password$",
        r"^docker login --username AWS --password-stdin ",
        r"^docker push OUTPUT:ecr\.repository_urls\.producer:abc123$",
        r"^docker push OUTPUT:ecr\.repository_urls\.consumer:abc123$",
        r"^export TF_VAR_image_tag=abc123$",
        r"^terragrunt run --all .*live/dev -- apply$",
        r"^aws .* ecs describe-services --cluster OUTPUT:ecs-cluster\.cluster_name --services OUTPUT:consumer\.service_name",
        r"^aws .* ecs run-task .*--task-definition OUTPUT:db-setup\.task_definition_arn .*"
        r"OUTPUT:db-setup\.container_name.*/app/Consumer.*db-setup",
        r"^aws .* ecs wait tasks-stopped ",
        r"^aws .* ecs describe-tasks ",
        r"^aws .* s3 cp .*/index\.html s3://OUTPUT:frontend\.bucket_name/index\.html .*--cache-control no-cache$",
        r"^aws .* cloudfront create-invalidation --distribution-id OUTPUT:frontend\.distribution_id ",
        r"^aws .* cloudfront get-invalidation --distribution-id OUTPUT:frontend\.distribution_id --id RESULT:",
        r"^curl https://OUTPUT:frontend\.distribution_domain_name/$",
        r"^curl https://OUTPUT:frontend\.distribution_domain_name/api/health$",
        r"^curl -X POST .*/api/count$",
        r"^curl https://OUTPUT:frontend\.distribution_domain_name/api/count$",
    ])


@pytest.mark.parametrize(("action", "extra"), [("apply", ()), ("admin", ("--", "queue", "stats"))])
def test_one_off_tasks_override_only_the_command_never_the_environment(stub_path, action, extra):
    """The tasks read DB_SECRET/REDIS_SECRET themselves: deploy.sh passes no credential to a task."""
    lines = [line for line in dry_run(action, stub_path, "--image-tag", "abc123", *extra) if " ecs run-task " in line]
    assert len(lines) == 1, lines
    overrides = re.search(r"--overrides (\S+)", lines[0]).group(1)
    assert "command" in overrides
    assert not re.search(r"environment|PASSWORD|SECRET", overrides, re.I), overrides


def test_prod_apply_dry_run_needs_no_prompt(stub_path):
    path, _ = stub_path
    result = deploy("--env", "prod", "--region", "eu-west-1", "--action", "apply", "--dry-run", path=path)
    assert result.returncode == 0, result.stderr


def test_frontend_dry_run_uploads_index_last_and_invalidates(stub_path):
    lines = dry_run("frontend", stub_path, "--endpoint-url", "http://127.0.0.1:1")
    uploads = [line for line in lines if " s3 cp " in line]
    assert uploads and all("--endpoint-url http://127.0.0.1:1" in line for line in uploads)
    assert re.search(r" s3 cp \S+/index\.html s3://", uploads[-1]), uploads[-1]
    assert any("/config.js " in line and line.endswith("--cache-control no-cache") for line in uploads)
    assert any(line.startswith("aws") and "create-invalidation" in line for line in lines)


def test_frontend_dry_run_can_skip_the_invalidation(stub_path):
    lines = dry_run("frontend", stub_path, "--bucket", "my-bucket", "--skip-invalidation")
    assert lines and not any("cloudfront" in line for line in lines)
    assert not any("terragrunt" in line for line in lines), "outputs were given, none should be read"


def test_smoke_dry_run_against_a_given_url(stub_path):
    lines = dry_run("smoke", stub_path, "--url", "http://127.0.0.1:5080/")
    assert lines == [
        "curl http://127.0.0.1:5080/",
        "curl http://127.0.0.1:5080/api/health",
        "curl -X POST -H Content-Type:\\ application/json --data \\{\\\"count\\\":\\ \\<n\\>\\} "
        "http://127.0.0.1:5080/api/count",
        "curl http://127.0.0.1:5080/api/count",
    ]


def test_outputs_dry_run_reads_each_component(stub_path):
    lines = dry_run("outputs", stub_path)
    units = sorted(p.parent.name for p in (REPO / "terraform/live/dev").glob("*/terragrunt.hcl"))
    assert len(lines) == len(units)
    for unit in units:
        assert any(line.endswith(f"live/dev/{unit} -- output -json") for line in lines), unit


def test_admin_dry_run_runs_the_subcommand_as_a_one_off_consumer_task_and_prints_its_log(stub_path):
    lines = dry_run("admin", stub_path, "--", "dead-letters", "replay", "--kind", "max_deliveries", "--rate", "5")
    assert_in_order(lines, [
        r"^aws .* ecs describe-services --cluster OUTPUT:ecs-cluster\.cluster_name --services OUTPUT:consumer\.service_name",
        # The Consumer's own task definition: its settings and its Redis user, not db-setup's.
        r"^aws .* ecs run-task .*--task-definition OUTPUT:consumer\.task_definition_arn .*OUTPUT:consumer\.container_name"
        r'.*\\"/app/Consumer\\"\\,\\"dead-letters\\"\\,\\"replay\\"\\,\\"--kind\\"\\,\\"max_deliveries\\"\\,\\"--rate\\"\\,\\"5\\"',
        r"^aws .* ecs wait tasks-stopped .*--tasks RESULT:run-task\.taskArn$",
        r"^aws .* ecs describe-tasks ",
        r"^aws .* logs get-log-events --log-group-name OUTPUT:consumer\.log_group_name "
        r"--log-stream-name OUTPUT:consumer\.container_name/OUTPUT:consumer\.container_name/RESULT:run-task\.taskArn --start-from-head",
    ])
    assert not any("terragrunt" in line and " apply" in line for line in lines), "admin must not change the infrastructure"
