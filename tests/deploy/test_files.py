"""The deployment files in deploy/: what can be checked without a container engine or systemd.

compose.yaml is parsed and its services, health checks, environment and volumes are checked; the
Containerfile gets lint-level checks; gunicorn.conf.py is loaded the way gunicorn loads it and must
agree with `campaignflow serve`; the systemd units and the docs name the right signals.
"""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest
import yaml

from campaignflow.core.management.commands.serve import GunicornApplication, gunicorn_options

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SERVICES = ("web", "worker", "postgres", "redis")


def env_variables_read_by_the_code() -> set[str]:
    """Every CAMPAIGNFLOW_* name the code reads from the environment (env_*() or os.environ)."""
    pattern = re.compile(r"""(?:env_\w+|environ\.get|getenv)\(\s*["'](CAMPAIGNFLOW_[A-Z_]+)""")
    names = set()
    for path in (ROOT / "src" / "campaignflow").rglob("*.py"):
        names |= set(pattern.findall(path.read_text(encoding="utf-8")))
    return names


# --- compose.yaml ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_has_web_worker_postgres_and_redis_each_with_a_health_check(compose):
    services = compose["services"]

    for name in SERVICES:
        assert name in services, name
        check = services[name]["healthcheck"]
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name
        assert len(check["test"]) > 1, name
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"][1:] == ["redis-cli", "ping"]


def test_compose_web_and_worker_run_campaignflow_on_postgres_and_redis(compose):
    services = compose["services"]
    web, worker = services["web"], services["worker"]

    assert web["command"][:2] == ["campaignflow", "serve"]
    assert "0.0.0.0" in web["command"]
    assert worker["command"] == ["campaignflow", "worker"]
    for service in (web, worker):
        env = service["environment"]
        assert re.fullmatch(
            r"postgres://campaignflow:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432/campaignflow",
            env["DATABASE_URL"],
        )
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["CAMPAIGNFLOW_SECRET_KEY"].startswith("${CAMPAIGNFLOW_SECRET_KEY:?")  # required
        assert env["CAMPAIGNFLOW_DATA_DIR"] == "/var/lib/campaignflow"
        assert env["CAMPAIGNFLOW_LOG_FORMAT"] == "json"
        assert "media:/var/lib/campaignflow/media" in service["volumes"]
        for dependency in ("postgres", "redis"):
            assert service["depends_on"][dependency]["condition"] == "service_healthy"
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["campaignflow", "migrate", "--noinput"]


def test_compose_sets_only_variables_that_the_code_reads(compose):
    known = env_variables_read_by_the_code()

    used = {name for name in compose["services"]["web"]["environment"] if name.startswith("CAMPAIGNFLOW_")}

    assert used - known == set()


def test_compose_stops_web_and_worker_gracefully(compose):
    web, worker = compose["services"]["web"], compose["services"]["worker"]
    graceful_timeout = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["graceful_timeout"]

    assert web["stop_signal"] == "SIGTERM"
    assert int(web["stop_grace_period"].removesuffix("s")) > graceful_timeout
    # Huey's graceful signal; SIGTERM would interrupt running jobs (tests/deploy/test_shutdown.py)
    assert worker["stop_signal"] == "SIGINT"


def test_compose_declares_every_named_volume_it_mounts(compose):
    mounted = {
        volume.split(":")[0]
        for service in compose["services"].values()
        for volume in service.get("volumes", [])
        if not volume.startswith((".", "/"))
    }

    assert mounted == set(compose["volumes"])


def test_compose_builds_the_image_from_the_containerfile(compose):
    build = compose["services"]["web"]["build"]

    assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DEPLOY / "Containerfile"


# --- Containerfile ------------------------------------------------------------------------------------------


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined, current = [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        current += " " + stripped.removesuffix("\\").strip()
        if not stripped.endswith("\\"):
            joined.append(current.strip())
            current = ""
    return [(text.split(None, 1)[0].upper(), text.split(None, 1)[1]) for text in joined]


@pytest.fixture(scope="module")
def containerfile() -> list[tuple[str, str]]:
    return instructions(DEPLOY / "Containerfile")


def final_stage(steps):
    last_from = max(index for index, (name, _args) in enumerate(steps) if name == "FROM")
    return steps[last_from:]


def test_containerfile_builds_on_python_311_slim(containerfile):
    bases = [args.split()[0] for name, args in containerfile if name == "FROM"]

    assert bases
    assert all(base == "python:3.11-slim" for base in bases)


def test_containerfile_runs_as_a_non_root_user(containerfile):
    users = [args for name, args in final_stage(containerfile) if name == "USER"]

    assert users
    assert users[-1].split(":")[0] not in ("root", "0")


def test_containerfile_checks_readiness_and_serves_on_all_interfaces(containerfile):
    stage = final_stage(containerfile)
    health = [args for name, args in stage if name == "HEALTHCHECK"]
    command = [args for name, args in stage if name == "CMD"]

    assert len(health) == 1
    assert "probe.py" in health[0]
    assert '"web"' in health[0]
    assert "readyz" in (DEPLOY / "probe.py").read_text(encoding="utf-8")
    assert command == ['["campaignflow", "serve", "--host", "0.0.0.0", "--port", "8000"]']


def test_containerfile_compiles_translations_and_collects_static_files_at_build(containerfile):
    runs = [args for name, args in containerfile if name == "RUN"]

    assert any(
        "apt-get install" in run and "gettext" in run and "rm -rf /var/lib/apt/lists" in run for run in runs
    )
    assert any("campaignflow compilemessages" in run for run in runs)
    assert any("pip install ." in run for run in runs)
    final_runs = [args for name, args in final_stage(containerfile) if name == "RUN"]
    assert any("campaignflow collectstatic --noinput" in run for run in final_runs)


def test_containerfile_pipes_nothing_from_the_network_into_a_shell(containerfile):
    text = " ".join(args for _name, args in containerfile)

    assert not re.search(r"\b(curl|wget)\b[^|;&]*\|\s*(ba|da)?sh\b", text)
    assert not re.search(r"^ADD\s+https?://", (DEPLOY / "Containerfile").read_text(), re.M)


def test_containerfile_copies_only_files_that_exist_and_are_not_ignored(containerfile):
    ignored = (ROOT / ".containerignore").read_text(encoding="utf-8").split()

    for name, args in containerfile:
        if name != "COPY" or "--from=" in args:
            continue
        *sources, _target = args.split()
        for source in sources:
            assert (ROOT / source).exists(), source
            assert source not in ignored, source


def test_docker_and_podman_ignore_files_agree():
    assert (ROOT / ".containerignore").read_text() == (ROOT / ".dockerignore").read_text()
    assert ".venv" in (ROOT / ".containerignore").read_text().split()


# --- gunicorn.conf.py -------------------------------------------------------------------------------------------


def load_gunicorn_conf(monkeypatch, **env) -> dict:
    for name in (
        "CAMPAIGNFLOW_WEB_WORKERS",
        "CAMPAIGNFLOW_WEB_THREADS",
        "CAMPAIGNFLOW_WEB_TIMEOUT",
        "CAMPAIGNFLOW_LOG_FORMAT",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))


def test_gunicorn_conf_follows_the_environment(monkeypatch):
    conf = load_gunicorn_conf(
        monkeypatch, CAMPAIGNFLOW_WEB_WORKERS="5", CAMPAIGNFLOW_WEB_THREADS="1", CAMPAIGNFLOW_WEB_TIMEOUT="90"
    )

    assert (conf["workers"], conf["threads"], conf["timeout"]) == (5, 1, 90)
    assert conf["worker_class"] == "sync"
    assert conf["wsgi_app"] == "campaignflow.config.wsgi:application"


def test_gunicorn_conf_agrees_with_campaignflow_serve(monkeypatch):
    conf = load_gunicorn_conf(monkeypatch)
    served = GunicornApplication(
        gunicorn_options(host="127.0.0.1", port=8000, workers=2, threads=4, timeout=60)
    ).cfg

    assert (conf["workers"], conf["threads"], conf["timeout"]) == (
        served.workers,
        served.threads,
        served.timeout,
    )
    assert conf["worker_class"] == served.worker_class_str
    assert conf["graceful_timeout"] == served.graceful_timeout
    assert conf["bind"] == served.bind


def test_gunicorn_conf_logs_the_request_id_or_leaves_request_logs_to_json(monkeypatch):
    plain = load_gunicorn_conf(monkeypatch)
    json_logs = load_gunicorn_conf(monkeypatch, CAMPAIGNFLOW_LOG_FORMAT="json")

    assert plain["accesslog"] == "-"
    assert "%({x-request-id}o)s" in plain["access_log_format"]
    assert json_logs["accesslog"] is None


def test_gunicorn_conf_refuses_a_bad_number_naming_the_variable(monkeypatch):
    with pytest.raises(SystemExit, match="CAMPAIGNFLOW_WEB_WORKERS must be at least 1"):
        load_gunicorn_conf(monkeypatch, CAMPAIGNFLOW_WEB_WORKERS="0")


# --- systemd units and the environment reference ----------------------------------------------------------------


def unit(name: str) -> dict[str, str]:
    values = {}
    for line in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def test_systemd_units_run_campaignflow_and_stop_it_gracefully():
    web, worker = unit("campaignflow-web.service"), unit("campaignflow-worker.service")

    assert web["ExecStart"].endswith("campaignflow serve --host 127.0.0.1 --port 8000")
    assert worker["ExecStart"].endswith("campaignflow worker")
    assert web["KillSignal"] == "SIGTERM"
    assert worker["KillSignal"] == "SIGINT"
    for values in (web, worker):
        assert values["User"] == "campaignflow"
        assert values["EnvironmentFile"] == "/etc/campaignflow.env"
    assert int(web["TimeoutStopSec"]) > runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["graceful_timeout"]


def test_deployment_doc_describes_every_environment_variable_the_code_reads():
    doc = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    example = (DEPLOY / "campaignflow.env.example").read_text(encoding="utf-8")
    known = env_variables_read_by_the_code()

    assert {"CAMPAIGNFLOW_SECRET_KEY", "CAMPAIGNFLOW_LOG_FORMAT", "CAMPAIGNFLOW_CLICK_BUFFER"} <= known
    assert sorted(name for name in known if f"`{name}`" not in doc) == []
    assert sorted(set(re.findall(r"CAMPAIGNFLOW_[A-Z_]+", example)) - known) == []
