"""The Docker image carries Java and MPXJ (build argument WITH_MPXJ, default 1), and every
docker-compose service that imports schedules runs that image.

No Docker daemon is needed: the Dockerfile and docker-compose.yml are parsed, and the shell of the
RUN steps that WITH_MPXJ steers is executed with every command it calls replaced by a stub that
logs its arguments (PATH holds the stubs only, so nothing reaches the host's apt or pip)."""

import fnmatch
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
STUBBED = ("apt-get", "pip", "java", "mkdir", "rm", "python")


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    joined, current = [], ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.lstrip().startswith("#") or (not current and not line.strip()):
            continue
        if line.endswith("\\"):  # Docker drops the backslash and the newline
            current += line[:-1]
            continue
        joined.append(current + line)
        current = ""
    assert not current, "the Dockerfile ends inside a continued line"
    return [(text.split(None, 1)[0].upper(), text.split(None, 1)[1]) for text in joined]


def mpxj_runs() -> list[str]:
    return [args for kind, args in instructions() if kind == "RUN" and "WITH_MPXJ" in args]


def run_steps(tmp_path: Path, with_mpxj: str) -> tuple[int, list[str]]:
    """Run the WITH_MPXJ RUN steps in order under /bin/sh with stubbed commands; (exit, command log)."""
    stubs, log = tmp_path / f"stubs-{with_mpxj}", tmp_path / f"log-{with_mpxj}"
    stubs.mkdir()
    for name in STUBBED:
        stub = stubs / name
        stub.write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\n')
        stub.chmod(0o755)
    log.touch()
    status = 0
    for step in mpxj_runs():
        status = subprocess.run(  # noqa: S603 - our own Dockerfile, stubbed commands
            ["/bin/sh", "-f", "-c", step],  # -f: no globbing against the host's files
            env={"PATH": str(stubs), "WITH_MPXJ": with_mpxj},
            capture_output=True,
            check=False,
        ).returncode
        if status:
            break
    return status, log.read_text().splitlines()


def test_the_build_argument_is_declared_in_the_stage_and_on_by_default():
    kinds = [kind for kind, _ in instructions()]
    args = [value for kind, value in instructions() if kind == "ARG"]
    assert "WITH_MPXJ=1" in args
    # An ARG before FROM would not reach the RUN steps of the stage.
    assert kinds.index("FROM") < kinds.index("ARG") < kinds.index("RUN")


def test_with_mpxj_the_image_gets_a_jre_the_extra_and_a_conversion_probe(tmp_path):
    status, log = run_steps(tmp_path, "1")
    assert status == 0
    installs = [line for line in log if line.startswith("apt-get install")]
    assert installs == ["apt-get install -y --no-install-recommends default-jdk-headless"]
    assert "rm -rf /var/lib/apt/lists/*" in log  # lean: the package lists do not stay in the layer
    assert log.index("apt-get update") < log.index(installs[0])
    # Slim images drop /usr/share/man; without man1 the JRE's postinst fails (update-alternatives).
    assert log.index("mkdir -p /usr/share/man/man1") < log.index(installs[0])
    assert "pip install -r requirements-mpxj.txt" in log
    probes = [line for line in log if line.startswith("python -c") and "mpxj.self_test()" in line]
    assert len(probes) == 1, log


def test_without_mpxj_neither_java_nor_the_extra_is_installed(tmp_path):
    status, log = run_steps(tmp_path, "0")
    assert status == 0
    assert not [line for line in log if "jdk" in line or "jre" in line or "mpxj" in line], log
    assert "pip install -r requirements.txt" in log


@pytest.mark.parametrize("value", ["yes", "", "true"])
def test_a_value_other_than_0_or_1_fails_the_build(tmp_path, value):
    status, log = run_steps(tmp_path, value)
    assert status != 0
    assert log == []


def test_the_extra_is_copied_before_it_is_installed_and_nothing_moves_java_off_path():
    steps = instructions()
    copies = [index for index, (kind, args) in enumerate(steps) if kind == "COPY" and "requirements-mpxj.txt" in args]
    installs = [index for index, (kind, args) in enumerate(steps) if kind == "RUN" and "requirements-mpxj.txt" in args]
    assert copies
    assert installs
    assert copies[0] < installs[0]
    # mpxj.java_executable() finds Debian's /usr/bin/java on PATH unless JAVA_HOME says otherwise.
    env = " ".join(args for kind, args in steps if kind == "ENV")
    assert "JAVA_HOME" not in env
    assert "PATH=" not in env
    # The probe runs as the user the containers run as.
    kinds = [kind for kind, _ in steps]
    probe = next(i for i, (kind, args) in enumerate(steps) if kind == "RUN" and "mpxj.self_test()" in args)
    assert kinds.index("USER") < probe


def test_dockerignore_keeps_the_extra_and_the_converter_in_the_build_context():
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignored(path: str) -> bool:
        verdict = False
        for pattern in patterns:
            negated = pattern.startswith("!")
            bare = pattern.lstrip("!").removeprefix("**/")
            parts = path.split("/")
            prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
            if any(fnmatch.fnmatch(p, bare) or fnmatch.fnmatch(p.split("/")[-1], bare) for p in prefixes):
                verdict = not negated
        return verdict

    for needed in ("requirements.txt", "requirements-mpxj.txt", "projects/scheduling/mpxj.py"):
        assert not ignored(needed), needed
    assert ignored(".env")  # the helper does ignore what it should


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def interpolate(value: str) -> str:
    """docker compose's ${NAME:-default} with NAME unset."""
    return re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: m.group(2), str(value))


@pytest.mark.parametrize("service", ["web", "worker", "migrate", "beat"])
def test_compose_services_build_the_one_image_with_mpxj_on_by_default(service):
    spec = compose()["services"][service]
    web = compose()["services"]["web"]
    assert spec["image"] == web["image"] == "keel:latest"
    assert spec["build"] == web["build"]
    assert spec["build"]["context"] == "."
    assert spec["build"].get("dockerfile", "Dockerfile") == "Dockerfile"
    assert interpolate(spec["build"]["args"]["WITH_MPXJ"]) == "1"
    environment = spec.get("environment", {})
    assert "JAVA_HOME" not in environment
    assert "PATH" not in environment


def test_readme_and_env_example_document_the_build_argument():
    readme = (ROOT / "README.md").read_text()
    assert "WITH_MPXJ" in readme
    assert "projects.W001" in readme
    assert "WITH_MPXJ" in (ROOT / ".env.example").read_text()


def test_the_stub_path_really_is_the_only_path(tmp_path):
    """Guard for the tests above: a command without a stub is not found, so no step reaches the host."""
    result = subprocess.run(
        ["/bin/sh", "-c", "groupadd --system keel"], env={"PATH": str(tmp_path)}, capture_output=True, check=False
    )
    assert result.returncode == 127
    assert os.environ.get("PATH")  # the test process itself keeps its PATH


def test_gunicorn_gives_an_upload_time_for_mpxj():
    """A schedule upload runs MPXJ in the request (twice: check and preview); gunicorn's default
    30 s timeout killed such uploads on a busy machine, so the image's command sets a longer one."""
    [command] = [json.loads(args) for kind, args in instructions() if kind == "CMD"]
    assert command[0] == "gunicorn"
    assert int(command[command.index("--timeout") + 1]) >= 120
