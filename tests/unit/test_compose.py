"""docker-compose.yml runs the production shape on images Temporal still builds. `.ci/run` checks that
Compose accepts the file (`docker-compose config`); these check what it runs."""

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from domain.ids import SEARCH_ATTRIBUTES, search_attribute_type

ROOT = Path(__file__).parent.parent.parent
SETUP = ROOT / "deploy" / "temporal"


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def image(service: dict[str, Any]) -> str:
    return service["image"].rpartition(":")[0]


def test_temporal_runs_on_the_server_and_admin_tools_images_not_auto_setup(services: dict[str, Any]) -> None:
    assert not any("auto-setup" in service.get("image", "") for service in services.values())
    assert image(services["temporal"]) == "temporalio/server"
    assert image(services["temporal-schema"]) == "temporalio/admin-tools"
    assert image(services["temporal-namespace"]) == "temporalio/admin-tools"
    assert image(services["temporal-ui"]) == "temporalio/ui"
    versions = {services[name]["image"].rpartition(":")[2] for name in ("temporal", "temporal-schema")}
    assert len(versions) == 1, "the schema tool and the server come from the same release"


def test_the_server_starts_once_its_schemas_are_set_up_on_postgresql(services: dict[str, Any]) -> None:
    temporal = services["temporal"]
    assert temporal["depends_on"]["temporal-schema"]["condition"] == "service_completed_successfully"
    assert temporal["environment"]["DB"] == "postgres12"
    assert "ENABLE_ES" not in temporal["environment"]  # PostgreSQL visibility
    script = (SETUP / "setup-schema.sh").read_text()
    assert "for database in temporal temporal_visibility" in script
    for step in ("create", "setup-schema -v 0.0", 'update-schema -d "${SCHEMA}/${kind}/versioned"'):
        assert f"$tool {step}" in script
    assert services["temporal-schema"]["depends_on"]["temporal-postgres"]["condition"] == "service_healthy"


def test_the_namespace_gets_every_search_attribute_the_oms_sets() -> None:
    script = (SETUP / "setup-namespace.sh").read_text()
    registered = dict(re.findall(r"^register (\w+) (\w+)$", script, re.MULTILINE))
    assert registered == {key.name: search_attribute_type(key) for key in SEARCH_ATTRIBUTES}


def test_worker_versioning_is_on_in_the_servers_dynamic_config(services: dict[str, Any]) -> None:
    mounted = services["temporal"]["volumes"][0].split(":")
    assert (ROOT / mounted[0]).resolve() == (SETUP / "dynamicconfig.yaml").resolve()
    assert mounted[1].endswith(services["temporal"]["environment"]["DYNAMIC_CONFIG_FILE_PATH"])
    config = yaml.safe_load((SETUP / "dynamicconfig.yaml").read_text())
    assert config["system.enableDeploymentVersions"] == [{"value": True, "constraints": {}}]


def test_worker_and_api_are_separate_services_ready_on_their_own_checks(services: dict[str, Any]) -> None:
    worker, api = services["worker"], services["api"]
    assert worker["command"] == ["oms", "worker"] and api["command"][:2] == ["oms", "api"]
    assert worker["healthcheck"]["test"] == ["CMD", "oms", "worker-ready"]
    assert "/readyz" in api["healthcheck"]["test"][-1]
    assert worker["deploy"]["replicas"] >= 2
    assert "ports" not in worker  # so that it scales (`--scale worker=N`)


def test_the_oms_reads_the_documented_env_file_and_this_projects_servers(services: dict[str, Any]) -> None:
    for name in ("worker", "worker-next", "api", "migrate"):
        assert services[name]["env_file"] == "${OMS_ENV_FILE:-deploy/oms.env.example}"
        assert services[name]["environment"]["OMS_TEMPORAL_ADDRESS"] == "temporal:7233"
    assert (ROOT / "deploy" / "oms.env.example").is_file()


def test_the_next_release_runs_beside_the_current_one_with_its_own_build_id(services: dict[str, Any]) -> None:
    current, following = services["worker"], services["worker-next"]
    assert following["profiles"] == ["release"]  # not started by a plain `up`
    assert current["environment"]["OMS_BUILD_ID"] == "${OMS_BUILD_ID:-}"
    assert following["environment"]["OMS_BUILD_ID"] == "${OMS_NEXT_BUILD_ID:-}"
    assert following["environment"]["OMS_DEPLOYMENT_NAME"] == current["environment"]["OMS_DEPLOYMENT_NAME"]


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose is not installed")
def test_compose_accepts_the_file() -> None:
    checked = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config", "--quiet"], cwd=ROOT, capture_output=True
    )
    assert checked.returncode == 0, checked.stderr.decode()
