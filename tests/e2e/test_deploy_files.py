"""The deployment files in deploy/ say what the tests run: no image can be pulled here, so what
can be checked is that the systemd unit's command, the image's command and the Kubernetes
containers' commands are one production command, that the migration of compose and of the
Kubernetes Job is one command, and that this command and the probes' paths work: the
migration, then the production server, whose liveness and readiness paths answer 200."""

import json
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import httpx
import yaml

from infrastructure.settings import STARTUP_FAILURE_EXIT
from tests.e2e.test_start_up import environment
from tests.support.database import sibling_database
from tests.support.server import ROOT, free_port

DEPLOY = ROOT / "deploy"
PRODUCTION = ["-OO", "-m", "web", "serve", "--production"]  # after the interpreter
MIGRATE = ["-m", "web", "migrate"]
BOUND = 60  # seconds: a bound on waits that end by themselves


def unit_setting(name: str) -> str:
    [value] = re.findall(rf"^{name}=(.*)$", (DEPLOY / "sesame.service").read_text(), re.MULTILINE)
    return value.strip()


def kubernetes(name: str) -> list[dict]:
    return list(yaml.safe_load_all((DEPLOY / "kubernetes" / name).read_text()))


def deployment_container() -> dict:
    [deployment] = [d for d in kubernetes("sesame.yaml") if d["kind"] == "Deployment"]
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    return container


def dockerfile_cmd() -> list[str]:
    [cmd] = re.findall(r"^CMD (\[.*\])$", (DEPLOY / "Dockerfile").read_text(), re.MULTILINE)
    return json.loads(cmd)


def test_every_deployment_runs_one_production_command():
    systemd = shlex.split(unit_setting("ExecStart"))
    assert systemd[0].endswith("/.venv/bin/python") and systemd[1:] == PRODUCTION
    assert dockerfile_cmd() == ["python", *PRODUCTION]
    assert deployment_container()["command"] == ["python", *PRODUCTION]


def test_every_migration_runs_one_command():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    [job] = kubernetes("migrate.yaml")
    [container] = job["spec"]["template"]["spec"]["containers"]
    assert compose["services"]["migrate"]["command"] == container["command"] == ["python", *MIGRATE]
    assert compose["services"]["sesame"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_systemd_does_not_restart_a_refused_configuration():
    assert unit_setting("RestartPreventExitStatus") == str(STARTUP_FAILURE_EXIT)


def test_the_migration_then_the_unit_command_serve_what_the_probes_ask(database_url, tmp_path):
    container = deployment_container()
    liveness = container["livenessProbe"]["httpGet"]["path"]
    readiness = container["readinessProbe"]["httpGet"]["path"]
    assert (liveness, readiness) == ("/health", "/health/ready")
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert readiness in " ".join(compose["services"]["sesame"]["healthcheck"]["test"])

    with sibling_database(database_url) as url:
        port = free_port()
        env = environment(DATABASE_URL=url, HOST="127.0.0.1", PORT=str(port), WORKERS="1",
                          MESSAGES_TO_LOG="true")
        migrated = subprocess.run([sys.executable, *MIGRATE], cwd=ROOT, env=env, capture_output=True,
                                  text=True, timeout=BOUND, stdin=subprocess.DEVNULL)
        assert migrated.returncode == 0, migrated.stderr
        command = [sys.executable, *shlex.split(unit_setting("ExecStart"))[1:]]
        log = tmp_path / "unit.log"
        with open(log, "w") as out:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            assert wait_for(f"{base}{readiness}", process, log) == 200
            assert httpx.get(f"{base}{liveness}").status_code == 200
            registered = httpx.post(f"{base}/auth/register",
                                    json={"email": "deploy@example.com", "password": "correct horse battery 9"})
            assert registered.status_code == 201, registered.text
            assert all("secure" in c.lower() for c in registered.headers.get_list("set-cookie"))
        finally:
            process.terminate()
            process.wait(timeout=30)
        assert "Traceback" not in log.read_text()


def wait_for(url: str, process: subprocess.Popen, log: Path) -> int:
    deadline = time.monotonic() + BOUND
    while True:
        assert process.poll() is None, f"exited with {process.returncode}: {log.read_text()}"
        try:
            answer = httpx.get(url, timeout=1)
            if answer.status_code == 200 or time.monotonic() > deadline:
                return answer.status_code
        except httpx.HTTPError:
            assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
