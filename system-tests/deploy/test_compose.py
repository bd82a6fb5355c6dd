"""Structural checks of docker-compose.yml: what a reviewer would otherwise check by eye.

They run without Docker, so they hold on every machine; `docker compose config` (run by
scripts/test-deploy.sh where Compose exists) checks the schema on top.
"""

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
APP_SERVICES = ("db-setup", "producer", "consumer")
LONG_RUNNING = ("redis", "mariadb", "producer", "consumer")
REQUIRED_VARIABLE = re.compile(r"^\$\{[A-Z_]+:\?[^}]+\}$")


@pytest.fixture(scope="module")
def compose():
    # PyYAML resolves the anchors and `<<` merges, so each service is seen as Compose sees it.
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def test_stack_has_the_expected_services(services):
    assert set(services) == {"redis", "mariadb", "db-setup", "producer", "consumer"}


def test_file_uses_extension_fields_for_shared_settings(compose):
    extensions = [key for key in compose if key.startswith("x-")]
    assert len(extensions) >= 3, extensions


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_containers_are_hardened(services, name):
    service = services[name]
    assert service["user"] == "10001:10001"
    assert service["read_only"] is True
    assert "/tmp" in service["tmpfs"]
    assert service["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in service["security_opt"]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_share_one_image_and_build(services, name):
    assert services[name]["image"] == services["producer"]["image"]
    assert services[name]["build"]["context"] == "."


def test_published_ports_bind_loopback_only(services):
    published = [(name, port) for name, s in services.items() for port in s.get("ports", [])]
    assert published, "the Producer must be published"
    for name, port in published:
        assert isinstance(port, str) and port.startswith("127.0.0.1:"), (name, port)
    assert any(port.endswith(":5080") for name, port in published if name == "producer")


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_long_running_services_have_health_checks(services, name):
    test = services[name]["healthcheck"]["test"]
    assert test[0] in ("CMD", "CMD-SHELL") and len(test) >= 2


def test_programs_are_probed_by_their_own_healthcheck_subcommand(services):
    assert services["producer"]["healthcheck"]["test"] == ["CMD", "/app/Producer", "healthcheck"]
    assert services["consumer"]["healthcheck"]["test"] == ["CMD", "/app/Consumer", "healthcheck"]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_apps_wait_for_healthy_data_stores(services, name):
    depends = services[name]["depends_on"]
    assert depends["redis"]["condition"] == "service_healthy"
    assert depends["mariadb"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", ("producer", "consumer"))
def test_programs_start_after_db_setup_succeeded(services, name):
    assert services[name]["depends_on"]["db-setup"]["condition"] == "service_completed_successfully"


def test_db_setup_is_a_one_off(services):
    assert services["db-setup"]["command"] == ["/app/Consumer", "db-setup"]
    assert services["db-setup"]["restart"] == "no"


def test_consumer_runs_two_replicas(services):
    assert services["consumer"]["deploy"]["replicas"] == 2
    assert services["consumer"]["command"] == ["/app/Consumer"]


def test_redis_keeps_an_append_only_file(services):
    command = services["redis"]["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--appendfsync") + 1] == "everysec"
    assert any(volume.endswith(":/data") for volume in services["redis"]["volumes"])


def test_mariadb_keeps_its_data_in_a_volume(services):
    assert any(v.endswith(":/var/lib/mysql") for v in services["mariadb"]["volumes"])


def test_no_secret_is_written_in_the_file(services):
    """Every password is a required variable (`${NAME:?…}`), filled from .env."""
    secrets = [
        (name, key, value)
        for name, service in services.items()
        for key, value in service.get("environment", {}).items()
        if "PASSWORD" in key or key == "REDISCLI_AUTH"
    ]
    assert len(secrets) >= 6
    for name, key, value in secrets:
        assert REQUIRED_VARIABLE.match(str(value)), (name, key, value)
    requirepass = services["redis"]["command"]
    assert REQUIRED_VARIABLE.match(requirepass[requirepass.index("--requirepass") + 1])


def test_env_example_names_every_required_variable():
    compose_text = (REPO / "docker-compose.yml").read_text()
    required = set(re.findall(r"\$\{([A-Z_]+):\?", compose_text))
    example = (REPO / ".env.example").read_text()
    defined = set(re.findall(r"^([A-Z_]+)=", example, flags=re.MULTILINE))
    assert required and required <= defined, required - defined
