"""The Kubernetes files on paper: the values file sets the keys Dagster's Helm chart reads, and the
Dockerfile serves the code location the values name."""

from __future__ import annotations

import re
import shlex
import tomllib

import pytest
import yaml

from fintrace_pipeline.settings import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"

# Key paths of Dagster's chart (helm/dagster/values.yaml and its dagster-user-deployments subchart) that
# this deployment depends on, with the type the chart's schema gives them.
CHART_KEYS = {
    "global.postgresqlSecretName": str,
    "dagster-user-deployments.enabled": bool,
    "dagster-user-deployments.enableSubchart": bool,
    "dagster-user-deployments.deployments": list,
    "runLauncher.type": str,
    "runLauncher.config.k8sRunLauncher": dict,
    "runLauncher.config.k8sRunLauncher.envSecrets": list,
    "generatePostgresqlPasswordSecret": bool,
    "postgresql.enabled": bool,
    "postgresql.postgresqlHost": str,
    "postgresql.postgresqlUsername": str,
    "postgresql.postgresqlDatabase": str,
    "postgresql.service.port": int,
    "dagsterDaemon.enabled": bool,
    "dagsterDaemon.runCoordinator.type": str,
    "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns": int,
    "dagsterDaemon.runMonitoring.enabled": bool,
    "dagsterDaemon.runRetries.enabled": bool,
    "dagsterDaemon.runRetries.maxRetries": int,
    "dagsterDaemon.runRetries.retryOnAssetOrOpFailure": bool,
}
# Keys of one entry of dagster-user-deployments.deployments.
DEPLOYMENT_KEYS = {
    "name": str,
    "image.repository": str,
    "image.tag": str,
    "image.pullPolicy": str,
    "port": int,
    "includeConfigInLaunchedRuns.enabled": bool,
    "env": list,
    "envSecrets": list,
    "volumes": list,
    "volumeMounts": list,
}


def _at(tree: dict, path: str):
    node = tree
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(path)
        node = node[part]
    return node


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load((DEPLOY / "helm" / "values.yaml").read_text())


@pytest.fixture(scope="module")
def deployment(values) -> dict:
    (only,) = values["dagster-user-deployments"]["deployments"]
    return only


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) of every instruction, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (DEPLOY / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [tuple(line.split(None, 1)) for line in lines]


@pytest.mark.parametrize("path", sorted(CHART_KEYS))
def test_values_set_the_keys_the_chart_reads(values, path):
    assert isinstance(_at(values, path), CHART_KEYS[path]), path


@pytest.mark.parametrize("path", sorted(DEPLOYMENT_KEYS))
def test_the_code_location_is_a_user_deployment(deployment, path):
    assert isinstance(_at(deployment, path), DEPLOYMENT_KEYS[path]), path


def test_runs_are_kubernetes_jobs_on_postgres_and_retried_like_the_local_instance(values):
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    assert values["postgresql"]["enabled"] is False and values["generatePostgresqlPasswordSecret"] is False
    local = yaml.safe_load((PROJECT_ROOT / "dagster.postgres.yaml").read_text())
    retries = values["dagsterDaemon"]["runRetries"]
    assert retries["maxRetries"] == local["run_retries"]["max_retries"]
    assert retries["retryOnAssetOrOpFailure"] == local["run_retries"]["retry_on_asset_or_op_failure"]
    monitoring = values["dagsterDaemon"]["runMonitoring"]
    assert monitoring["maxResumeRunAttempts"] == local["run_monitoring"]["max_resume_run_attempts"]


def test_the_user_deployment_loads_the_projects_code_location(deployment):
    grpc_args = [key for key in ("dagsterApiGrpcArgs", "codeServerArgs") if key in deployment]
    assert len(grpc_args) == 1, "exactly one of dagsterApiGrpcArgs / codeServerArgs"
    args = deployment[grpc_args[0]]
    module = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["dagster"]["module_name"]
    assert args[args.index("-m") + 1] == module


def test_the_deployment_env_names_settings_that_exist_and_mounts_the_shared_root(deployment):
    settings_source = (PROJECT_ROOT / "fintrace_pipeline" / "settings.py").read_text()
    env = {item["name"]: item.get("value") for item in deployment["env"]}
    for name in env:
        assert f'"{name}"' in settings_source, f"{name} is not a setting"
    mounts = {mount["name"]: mount["mountPath"] for mount in deployment["volumeMounts"]}
    volumes = {volume["name"] for volume in deployment["volumes"]}
    assert set(mounts) <= volumes
    assert env["FINTRACE_SHARED_DIR"] in mounts.values()
    assert env["FINTRACE_INBOX"].startswith(env["FINTRACE_SHARED_DIR"] + "/")


def test_the_dockerfile_serves_that_code_location_on_that_port(dockerfile, deployment):
    instructions = dict((name.upper(), args) for name, args in dockerfile)  # the last of each kind
    assert re.fullmatch(r"python:3\.1[1-9][\w.-]*", instructions["FROM"])
    assert int(instructions["EXPOSE"]) == deployment["port"]
    command = yaml.safe_load(instructions["CMD"])  # the exec form is a JSON (so YAML) list
    assert command[:3] == ["dagster", "api", "grpc"]
    assert command[command.index("-p") + 1] == str(deployment["port"])
    assert command[command.index("-m") + 1] == deployment["dagsterApiGrpcArgs"][1]
    # In place, so migrations (sql/) and the instance templates are found beside the package.
    runs = [shlex.split(args) for name, args in dockerfile if name.upper() == "RUN"]
    assert any(words[:4] == ["pip", "install", "-e", "."] for words in runs)
    copied = " ".join(args for name, args in dockerfile if name.upper() == "COPY")
    for needed in ("pyproject.toml", "fintrace_pipeline", "sql", "dagster.postgres.yaml"):
        assert needed in copied, f"the image lacks {needed}"
