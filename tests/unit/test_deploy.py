"""Static checks of the deployment assets: deploy/docker-compose.yml, deploy/docker/Dockerfile,
.dockerignore, deploy/k8s/, deploy/flink/, deploy/dataflow/, the Grafana provisioning and the
compose Prometheus configuration.

Nothing here starts a container (no Docker engine is needed), but every ``pantau`` command line
of the compose file, the Kubernetes manifests and the runner scripts is parsed by the real
option parsers, so an option that does not exist fails here rather than in a pod.
``docker-compose`` (Debian package, installed by deploy/install.sh) and ``promtool`` (Debian
package ``prometheus``, same script) are required: when missing, the tests fail with a hint.
"""
from __future__ import annotations

import argparse
import http.server
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from apache_beam.options.pipeline_options import PipelineOptions

from pipelines import cli
from pipelines.options import PantauOptions, pipeline_options
from transforms.core.settings import SettingsParser

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
COMPOSE_FILE = DEPLOY / "docker-compose.yml"
DOCKERFILE = DEPLOY / "docker" / "Dockerfile"
K8S = DEPLOY / "k8s"
WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"}
#: options that Beam's portable runners forward to the job server unparsed (Flink's
#: FlinkPipelineOptions): unknown to the Python parser, known to the runner
RUNNER_PASSTHROUGH = {"checkpointing_interval"}
KNOWN_BEAM_AND_PANTAU = set(PipelineOptions([]).get_all_options())


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------

_VAR = re.compile(r"\$\$|\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)")


def interpolate(value: Any) -> Any:
    """Compose variable substitution (${VAR:-default}, ${VAR}, $$) with an empty environment."""
    if isinstance(value, str):
        return _VAR.sub(lambda m: "$" if m.group(0) == "$$" else (m.group(2) or ""), value)
    if isinstance(value, list):
        return [interpolate(v) for v in value]
    if isinstance(value, dict):
        return {k: interpolate(v) for k, v in value.items()}
    return value


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    with COMPOSE_FILE.open(encoding="utf-8") as f:
        return interpolate(yaml.safe_load(f))  # SafeLoader resolves anchors and << merge keys


def is_pantau(service: dict[str, Any]) -> bool:
    return "build" in service or str(service.get("image", "")).split(":")[0].endswith("pantau")


def is_one_shot(service: dict[str, Any]) -> bool:
    return str(service.get("restart", "no")) == "no"


def image_is_pinned(image: str) -> bool:
    """A tag other than latest, or a digest."""
    if "@sha256:" in image:
        return True
    name_tag = image.rsplit("/", 1)[-1]
    if ":" not in name_tag:
        return False
    tag = name_tag.split(":", 1)[1]
    return bool(tag) and tag != "latest" and not tag.startswith("$")


class _Parsed(Exception):
    """Raised instead of running a command once its arguments parsed."""


def check_pantau_args(args: list[str], monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """Fails unless ``pantau <args>`` names a real command whose options all exist and parse."""
    assert args, f"{where}: empty pantau command"
    command, rest = args[0], list(args[1:])
    assert command in cli.COMMANDS, f"{where}: {command!r} is not a pantau command ({sorted(cli.COMMANDS)})"
    if command == "run":
        try:
            options = pipeline_options(rest)  # exits 2 on an unknown option or a bad value
            parsed = options.get_all_options(retain_unknown_options=True)
            options.view_as(PantauOptions)
        except SystemExit as e:  # argparse: a bad value (type, choices)
            pytest.fail(f"{where}: `pantau run {shlex.join(rest)}` does not parse ({e})")
        unknown = set(parsed) - KNOWN_BEAM_AND_PANTAU - RUNNER_PASSTHROUGH
        assert not unknown, f"{where}: options unknown to PantauOptions and Beam: {sorted(unknown)}"
        return
    def parse_then_stop(original):
        def parse(self, a=None, namespace=None):
            original(self, a, namespace)  # exits with status 2 on an unknown option or a bad value
            raise _Parsed
        return parse

    with monkeypatch.context() as m:
        m.setattr(argparse.ArgumentParser, "parse_args", parse_then_stop(argparse.ArgumentParser.parse_args))
        m.setattr(SettingsParser, "parse_args", parse_then_stop(SettingsParser.parse_args))
        try:
            cli.resolve(command)(rest)
        except _Parsed:
            return
        except SystemExit as e:
            pytest.fail(f"{where}: `pantau {command} {shlex.join(rest)}` does not parse (exit {e.code})")
    pytest.fail(f"{where}: `pantau {command}` did not parse its arguments with argparse")


def serve(handler_body: bytes):
    """A loopback HTTP server answering every GET/POST/PUT with ``handler_body``; records requests."""
    seen: list[tuple[str, str, dict[str, str], bytes]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _any(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append((self.command, self.path, dict(self.headers), body))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(handler_body)

        do_GET = do_POST = do_PUT = do_DELETE = _any

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


# ----------------------------------------------------------------------------------------------
# docker-compose.yml
# ----------------------------------------------------------------------------------------------


def test_compose_config_is_valid():
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("docker-compose is not installed: run `bash deploy/install.sh` as root "
                    "(installs the Debian package docker-compose) or `apt-get install -y docker-compose`")
    for profile_args in ([], ["--profile", "sample"]):
        result = subprocess.run([binary, "-f", str(COMPOSE_FILE), *profile_args, "config", "-q"],
                                cwd=DEPLOY, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"docker-compose config -q failed:\n{result.stderr}{result.stdout}"


def test_compose_has_the_whole_stack(compose):
    services = compose["services"]
    for name in ("kafka", "kafka-topics", "elasticsearch", "kibana", "kibana-import", "prometheus",
                 "grafana", "monitor"):
        assert name in services, f"service {name} missing"
    pipelines = {n: s for n, s in services.items() if is_pantau(s) and s.get("command", [None])[0] == "run"}
    assert len(pipelines) >= 1
    # instances split the partitions: distinct indexes 0..N-1, one N
    indexes, counts = set(), set()
    for s in pipelines.values():
        opts = PipelineOptions(s["command"][1:]).view_as(PantauOptions)
        indexes.add(opts.instance_index)
        counts.add(opts.instance_count)
    assert counts == {len(pipelines)} and indexes == set(range(len(pipelines)))
    assert "KAFKA_PROCESS_ROLES" in services["kafka"]["environment"], "Kafka must run in KRaft mode"
    assert services["kibana"]["image"].rsplit(":", 1)[1] == services["elasticsearch"]["image"].rsplit(":", 1)[1]
    assert services["elasticsearch"]["image"].rsplit(":", 1)[1].startswith("8.")


def test_compose_images_are_pinned(compose):
    for name, service in compose["services"].items():
        image = service.get("image")
        assert image, f"{name}: no image"
        assert image_is_pinned(image), f"{name}: image {image!r} is not pinned (tag or digest, never latest)"


def test_compose_published_host_ports_are_unique(compose):
    seen: dict[str, str] = {}
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            parts = str(port).split(":")
            assert len(parts) in (2, 3), f"{name}: publish {port!r} with an explicit host port"
            host = parts[-2]
            assert host not in seen, f"host port {host} published by {seen.get(host)} and {name}"
            seen[host] = name
            if len(parts) == 3:
                assert parts[0] == "127.0.0.1", f"{name}: demo ports are bound to 127.0.0.1 only"


def test_compose_volumes_are_declared_and_mounted_files_exist(compose):
    declared = set(compose.get("volumes") or {})
    used = set()
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = str(volume).split(":")[0]
            if source.startswith((".", "/")):
                path = (DEPLOY / source).resolve()
                assert path.exists(), f"{name}: bind-mounted {source} does not exist ({path})"
                assert REPO in path.parents, f"{name}: {source} is outside the repository"
            else:
                assert source in declared, f"{name}: named volume {source} is not declared"
                used.add(source)
    assert declared == used, f"declared but unused volumes: {declared - used}"


def test_compose_secrets_are_files_and_not_inline(compose):
    declared = compose.get("secrets") or {}
    for secret, spec in declared.items():
        assert (DEPLOY / spec["file"]).is_file(), f"secret {secret}: {spec['file']} missing"
    secret_values = {(DEPLOY / spec["file"]).read_text(encoding="utf-8").strip() for spec in declared.values()}
    for name, service in compose["services"].items():
        for secret in service.get("secrets", []):
            assert secret in declared, f"{name}: secret {secret} not declared"
        env = service.get("environment") or {}
        assert isinstance(env, dict), f"{name}: use a mapping for environment"
        for key, value in env.items():
            if re.search(r"PASSWORD|API_KEY|PSEUDONYM_KEY|SECRET", key) and not key.endswith("FILE"):
                pytest.fail(f"{name}: {key} set inline; use {key}_FILE and a compose secret")
            if isinstance(value, str) and value.startswith("/run/secrets/"):
                assert value.rsplit("/", 1)[1] in service.get("secrets", []), \
                    f"{name}: {key} points to a secret the service does not mount"
        text = yaml.safe_dump({k: service.get(k) for k in ("command", "entrypoint", "healthcheck")})
        for value in secret_values:
            assert value not in text, f"{name}: a secret value appears in its command line"


def test_compose_long_running_services_have_healthchecks(compose):
    for name, service in compose["services"].items():
        check = service.get("healthcheck") or {}
        if is_one_shot(service):
            continue
        assert not check.get("disable"), f"{name}: long-running service with its healthcheck disabled"
        assert check.get("test"), f"{name}: long-running service without a healthcheck"
        assert check["test"][0] in ("CMD", "CMD-SHELL"), f"{name}: healthcheck test must be CMD or CMD-SHELL"


def test_compose_depends_on_conditions(compose):
    services = compose["services"]
    for name, service in services.items():
        depends = service.get("depends_on") or {}
        assert isinstance(depends, dict), f"{name}: depends_on needs conditions (mapping form)"
        for target, spec in depends.items():
            assert target in services, f"{name} depends on unknown service {target}"
            condition = spec.get("condition")
            assert condition in ("service_healthy", "service_completed_successfully", "service_started"), \
                f"{name} -> {target}: invalid condition {condition!r}"
            if condition == "service_healthy":
                check = services[target].get("healthcheck") or {}
                assert check.get("test") and not check.get("disable"), \
                    f"{name} waits for {target} to be healthy, but {target} has no healthcheck"
            if condition == "service_completed_successfully":
                assert is_one_shot(services[target]), f"{name} waits for {target} to exit, but it restarts"
            assert "sample" not in (services[target].get("profiles") or []) or \
                "sample" in (service.get("profiles") or []), f"{name} depends on a profile-only service"


def test_compose_pantau_commands_use_real_options(compose, monkeypatch):
    checked = 0
    for name, service in compose["services"].items():
        if not is_pantau(service):
            continue
        assert "entrypoint" not in service, f"{name}: keep the image's `pantau` entrypoint"
        check_pantau_args(list(service["command"]), monkeypatch, f"compose service {name}")
        checked += 1
    assert checked >= 4


def test_compose_services_are_wired_to_each_other(compose):
    services = compose["services"]
    for name, service in services.items():
        if is_pantau(service) and service["command"][0] in ("run", "monitor"):
            env = service["environment"]
            assert env["KAFKA_BOOTSTRAP"].split(":")[0] in services
            assert env["ES_URL"].split("//")[1].split(":")[0] in services
            assert "--metrics_addr=0.0.0.0" in service["command"], f"{name}: metrics must be scrapable"


# ----------------------------------------------------------------------------------------------
# Prometheus and Grafana of the compose stack
# ----------------------------------------------------------------------------------------------


def test_compose_prometheus_scrapes_every_pantau_process(compose, tmp_path):
    config = yaml.safe_load((DEPLOY / "docker" / "prometheus.yml").read_text(encoding="utf-8"))
    targets = {t for job in config["scrape_configs"] if job["job_name"].startswith("pantau")
               for sc in job["static_configs"] for t in sc["targets"]}
    expected = {f"{n}:9464" for n, s in compose["services"].items()
                if is_pantau(s) and s["command"][0] in ("run", "monitor")}
    assert targets == expected
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is not installed: run `bash deploy/install.sh` as root (Debian package prometheus)")
    shutil.copy(DEPLOY / "docker" / "prometheus.yml", tmp_path / "prometheus.yml")
    shutil.copy(DEPLOY / "prometheus" / "rules.yml", tmp_path / "rules.yml")
    result = subprocess.run([promtool, "check", "config", str(tmp_path / "prometheus.yml")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_grafana_provisioning_matches_the_compose_mounts(compose):
    grafana = compose["services"]["grafana"]
    mounts = {str(v).split(":")[1]: str(v).split(":")[0] for v in grafana["volumes"]}
    assert mounts["/etc/grafana/provisioning"] == "./grafana/provisioning"
    datasources = yaml.safe_load((DEPLOY / "grafana/provisioning/datasources/prometheus.yml").read_text())
    (ds,) = datasources["datasources"]
    assert ds["type"] == "prometheus" and ds["isDefault"]
    assert ds["url"].split("//")[1].split(":")[0] == "prometheus" and "prometheus" in compose["services"]
    providers = yaml.safe_load((DEPLOY / "grafana/provisioning/dashboards/pantau.yml").read_text())
    (provider,) = providers["providers"]
    path = provider["options"]["path"]
    dashboards = [target for target, source in mounts.items() if source == "./grafana/pantau.json"]
    assert dashboards and all(Path(d).parent == Path(path) for d in dashboards)


# ----------------------------------------------------------------------------------------------
# Dockerfile and .dockerignore
# ----------------------------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined; heredoc bodies skipped."""
    out: list[tuple[str, str]] = []
    lines = DOCKERFILE.read_text(encoding="utf-8").splitlines()
    i, heredoc = 0, None
    while i < len(lines):
        line = lines[i]
        i += 1
        if heredoc:
            if line.strip() == heredoc:
                heredoc = None
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        while line.rstrip().endswith("\\") and i < len(lines):
            line = line.rstrip()[:-1] + " " + lines[i].strip()
            i += 1
        m = re.search(r"<<-?'?\"?(\w+)'?\"?\s*$", line)
        if m:
            heredoc = m.group(1)
        word, _, rest = line.strip().partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def stages() -> dict[str, list[tuple[str, str]]]:
    """Instructions per stage, in order (stage name from ``FROM image AS name``)."""
    result: dict[str, list[tuple[str, str]]] = {}
    current = None
    for word, rest in dockerfile_instructions():
        if word == "FROM":
            m = re.match(r"(\S+)(?:\s+AS\s+(\S+))?", rest, re.I)
            current = m.group(2) or f"stage{len(result)}"
            result[current] = []
        if current is not None:
            result[current].append((word, rest))
    return result


def test_dockerfile_base_images_are_pinned():
    instructions = dockerfile_instructions()
    args = {}
    for word, rest in instructions:
        if word == "ARG" and "=" in rest:
            key, value = rest.split("=", 1)
            args[key] = value
    bases = []
    for word, rest in instructions:
        if word == "FROM":
            image = rest.split()[0]
            image = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), image)
            bases.append(image)
    stage_names = set(stages())
    external = [b for b in bases if b not in stage_names]
    assert external, "no base image"
    for image in external:
        assert image_is_pinned(image), f"base image {image!r} is not pinned"
    python = [b for b in external if b.startswith("python:")]
    assert python and all(re.match(r"python:3\.11\.\d+-slim", b) for b in python), \
        f"the Python base must be python:3.11.<patch>-slim*: {python}"


def test_dockerfile_is_multi_stage_non_root_with_healthcheck_and_pantau_entrypoint():
    all_stages = stages()
    assert len(all_stages) >= 2
    final_name = list(all_stages)[-1]
    final = all_stages[final_name]
    # the final stage inherits from a stage that installs from wheels built in another one
    words = [w for w, _ in dockerfile_instructions()]
    users = [rest for w, rest in dockerfile_instructions() if w == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), f"last USER is {users[-1:]}"
    assert "HEALTHCHECK" in [w for w, _ in final], "the final stage needs a HEALTHCHECK"
    entrypoint = [rest for w, rest in final if w == "ENTRYPOINT"]
    cmd = [rest for w, rest in final if w == "CMD"]
    assert entrypoint and yaml.safe_load(entrypoint[-1]) == ["pantau"]
    assert cmd and yaml.safe_load(cmd[-1]) == ["run"]
    assert words.count("FROM") >= 2
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert "--no-index" in text, "the runtime installs from the built wheels only"


def test_dockerfile_downloads_nothing_at_run_time():
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert not re.search(r"(curl|wget)[^\n|]*\|\s*(ba)?sh", text), "no `curl | sh` in the Dockerfile"
    for word, rest in dockerfile_instructions():
        if word in ("ENTRYPOINT", "CMD", "HEALTHCHECK"):
            assert not re.search(r"\b(curl|wget|pip|apt-get|spacy download)\b", rest), \
                f"{word} must not download anything: {rest}"
    # the health probe is the standard-library script, not curl (absent from python:slim)
    assert "pantau-healthcheck" in [rest for w, rest in stages()[list(stages())[-1]] if w == "HEALTHCHECK"][0]


def test_dockerfile_copies_exist_and_survive_dockerignore():
    ignore = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    patterns = [p.strip() for p in ignore if p.strip() and not p.startswith("#")]
    for must in ("**/.git", "tests", "**/__pycache__"):
        assert must in patterns, f".dockerignore should exclude {must}"
    for word, rest in dockerfile_instructions():
        if word != "COPY" or "--from=" in rest:
            continue
        parts = [p for p in rest.split() if not p.startswith("--")]
        for source in parts[:-1]:
            path = REPO / source
            assert path.exists(), f"COPY {source}: not in the repository"
            if source.startswith("deploy/"):
                assert f"!{source}" in patterns, f"COPY {source}: excluded by .dockerignore (deploy/*)"
            else:
                assert source not in patterns and f"{source}/" not in patterns, f"COPY {source}: ignored"


def test_healthcheck_script(tmp_path):
    script = DEPLOY / "docker" / "healthcheck.py"
    server, _ = serve(b'pantau_kafka_last_poll_timestamp_seconds{topic="t",partition="0"} 1.0\n')
    try:
        port = str(server.server_port)
        run = lambda *a: subprocess.run([sys.executable, str(script), "--port", port, *a],  # noqa: E731
                                        capture_output=True, text=True, timeout=30).returncode
        assert run() == 0
        assert run("--max-poll-age", "60") == 1          # last poll in 1970: stale
    finally:
        server.shutdown()
    closed = subprocess.run([sys.executable, str(script), "--port", "1"], capture_output=True, timeout=30)
    assert closed.returncode == 1


def test_es_setup_script_sends_secrets_only_through_curl_config(tmp_path):
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed (the script runs in the Elasticsearch image, which has it)")
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    for name in ("elastic_password", "kibana_system_password", "analyst_password"):
        (secrets / name).write_text(f"pw-{name}\n", encoding="utf-8")
    keys = tmp_path / "keys"
    server, seen = serve(b'{"id":"k1","name":"n","api_key":"s","encoded":"ZW5jb2RlZC1rZXk="}')
    try:
        env = {**os.environ, "ES_URL": f"http://127.0.0.1:{server.server_port}", "SECRETS_DIR": str(secrets),
               "ROLES_DIR": str(ROLES_DIR), "KEYS_DIR": str(keys), "KEY_OWNER": f"{os.getuid()}:{os.getgid()}"}
        result = subprocess.run(["bash", str(DEPLOY / "docker" / "es-setup.sh")], env=env,
                                capture_output=True, text=True, timeout=60)
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr
    import base64
    import json
    calls: dict[tuple[str, str], list] = {}
    for method, path, headers, body in seen:
        calls.setdefault((method, path.split("?")[0]), []).append((headers, body))
    for (method, path), requests in calls.items():
        for headers, body in requests:
            if path == "/_security/_authenticate":
                continue  # the existing-key check (no key file on the first run: not even tried)
            assert base64.b64decode(headers["Authorization"].split()[1]) == b"elastic:pw-elastic_password"
            if body:
                json.loads(body)
    assert json.loads(calls[("POST", "/_security/user/kibana_system/_password")][0][1]) == \
        {"password": "pw-kibana_system_password"}
    analyst = json.loads(calls[("PUT", "/_security/user/analyst")][0][1])
    assert analyst["password"] == "pw-analyst_password" and analyst["roles"] == ["pantau_analyst"]
    for role in ("pantau_writer", "pantau_monitor", "pantau_analyst"):
        assert json.loads(calls[("PUT", f"/_security/role/{role}")][0][1]) == role_file(role)
    made = [json.loads(body) for _, body in calls[("POST", "/_security/api_key")]]
    assert {k["name"]: k["role_descriptors"] for k in made} == {
        "pantau-pipeline": {"pantau_writer": role_file("pantau_writer")},
        "pantau-monitor": {"pantau_monitor": role_file("pantau_monitor")}}
    for name in ("pipeline_api_key", "monitor_api_key"):
        assert (keys / name).read_text(encoding="utf-8").strip() == "ZW5jb2RlZC1rZXk="
        assert oct((keys / name).stat().st_mode & 0o777) == "0o400"
    assert not any(("PUT", "/_security/user/pantau") == k for k in calls), "no password user for the pipeline"


ROLES_DIR = DEPLOY / "elasticsearch" / "roles"


def role_file(name: str) -> dict:
    import json
    return json.loads((ROLES_DIR / f"{name}.json").read_text(encoding="utf-8"))


def test_roles_are_least_privilege():
    writer, monitor, analyst = (role_file(n) for n in ("pantau_writer", "pantau_monitor", "pantau_analyst"))
    for role in (writer, monitor, analyst):
        assert not {"all", "manage", "manage_security", "manage_api_key"} & set(role["cluster"])
        for entry in role["indices"]:
            assert "all" not in entry["privileges"] and "delete" not in entry["privileges"]
            assert all(name.startswith("pantau-") and name != "pantau-*" for name in entry["names"]), entry
    assert [e["names"] for e in writer["indices"]] == [["pantau-posts*"]]
    assert analyst["cluster"] == []
    assert all(set(e["privileges"]) <= {"read", "view_index_metadata"} for e in analyst["indices"])
    assert all(p.endswith(".read") for a in analyst["applications"] for p in a["privileges"])
    posts = [e for e in monitor["indices"] if "pantau-posts*" in e["names"]][0]
    assert "manage" not in posts["privileges"] and "create_index" not in posts["privileges"]


def test_compose_pipeline_and_monitor_use_their_own_api_keys(compose):
    services = compose["services"]
    keys = {}
    for name, service in services.items():
        env = service.get("environment") or {}
        assert not any(k.startswith("PANTAU_ES_USERNAME") or k.startswith("PANTAU_ES_PASSWORD") for k in env), name
        if is_pantau(service) and "PANTAU_ES_API_KEY_FILE" in env:
            keys[name] = env["PANTAU_ES_API_KEY_FILE"]
            assert "es-keys:/run/pantau-keys:ro" in service.get("volumes", []), name
    assert {keys[n] for n in services if n.startswith("pipeline-")} == {"/run/pantau-keys/pipeline_api_key"}
    assert keys["monitor"] == "/run/pantau-keys/monitor_api_key"
    assert "analyst_password" in services["es-setup"]["secrets"]
    assert "elastic_password" not in services["monitor"].get("secrets", [])
    assert not any("elastic_password" in s.get("secrets", []) for n, s in services.items() if n.startswith("pipeline"))


# ----------------------------------------------------------------------------------------------
# Kubernetes
# ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def manifests() -> list[tuple[str, dict[str, Any]]]:
    docs = []
    for path in sorted(K8S.glob("*.yaml")):
        with path.open(encoding="utf-8") as f:
            docs += [(path.name, d) for d in yaml.safe_load_all(f) if d]
    assert docs
    return docs


def test_k8s_documents_have_identity(manifests):
    for name, doc in manifests:
        assert doc.get("apiVersion") and doc.get("kind"), f"{name}: apiVersion/kind missing"
        assert (doc.get("metadata") or {}).get("name"), f"{name}: metadata.name missing ({doc['kind']})"
        if doc["kind"] not in ("Namespace", "Kustomization"):
            assert doc["metadata"].get("namespace") == "pantau", f"{name}: {doc['kind']} not in namespace pantau"
    kustomization = [d for n, d in manifests if d["kind"] == "Kustomization"]
    if kustomization:
        listed = set(kustomization[0]["resources"])
        assert listed == {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}


def _pod_specs(manifests):
    for name, doc in manifests:
        if doc["kind"] in WORKLOAD_KINDS:
            spec = doc["spec"]
            if doc["kind"] == "CronJob":
                spec = spec["jobTemplate"]["spec"]
            yield name, doc, spec["template"]["spec"]


def test_k8s_workloads_are_hardened_and_probed(manifests):
    workloads = list(_pod_specs(manifests))
    assert {d["kind"] for _, d, _ in workloads} >= {"StatefulSet", "Deployment"}
    for name, doc, pod in workloads:
        where = f"{name} {doc['kind']}/{doc['metadata']['name']}"
        assert pod.get("securityContext", {}).get("runAsNonRoot") is True, f"{where}: pod runAsNonRoot"
        for c in pod["containers"]:
            sc = c.get("securityContext", {})
            assert sc.get("readOnlyRootFilesystem") is True, f"{where}/{c['name']}: readOnlyRootFilesystem"
            assert sc.get("allowPrivilegeEscalation") is False, f"{where}/{c['name']}: allowPrivilegeEscalation"
            assert sc.get("runAsNonRoot", pod["securityContext"]["runAsNonRoot"]) is True
            resources = c.get("resources", {})
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources.get(kind, {})), f"{where}/{c['name']}: {kind}"
            assert c.get("livenessProbe") and c.get("readinessProbe"), f"{where}/{c['name']}: probes"
            mounts = {m["mountPath"] for m in c.get("volumeMounts", [])}
            assert "/tmp" in mounts, f"{where}/{c['name']}: a read-only root needs a writable /tmp"
        annotations = doc["spec"]["template"]["metadata"].get("annotations", {})
        assert annotations.get("prometheus.io/scrape") == "true", f"{where}: scrape annotations"
        port = int(annotations["prometheus.io/port"])
        assert any(p["containerPort"] == port for c in pod["containers"] for p in c.get("ports", []))


def test_k8s_references_resolve(manifests):
    config_maps = {d["metadata"]["name"]: d.get("data", {}) for _, d in manifests if d["kind"] == "ConfigMap"}
    secrets = {d["metadata"]["name"]: d for _, d in manifests if d["kind"] == "Secret"}
    for name, doc, pod in _pod_specs(manifests):
        for volume in pod.get("volumes", []):
            if "configMap" in volume:
                assert volume["configMap"]["name"] in config_maps, f"{name}: {volume}"
            if "secret" in volume:
                assert volume["secret"]["secretName"] in secrets, f"{name}: {volume}"
        for c in pod["containers"]:
            for env in c.get("env", []):
                ref = (env.get("valueFrom") or {}).get("configMapKeyRef")
                if ref:
                    assert ref["key"] in config_maps[ref["name"]], f"{name}: {ref}"
                if env["name"].endswith("_FILE"):
                    mounts = [m["mountPath"] for m in c["volumeMounts"]]
                    assert any(env["value"].startswith(m + "/") for m in mounts), f"{name}: {env}"
    for secret in secrets.values():
        values = set((secret.get("stringData") or {}).values())
        assert values == {"REPLACE_ME"}, "the Secret manifest holds placeholders only"


def _container_env(container: dict[str, Any], config_maps: dict[str, dict[str, str]]) -> dict[str, str]:
    env = {}
    for e in container.get("env", []):
        if "value" in e:
            env[e["name"]] = str(e["value"])
        elif "configMapKeyRef" in e.get("valueFrom", {}):
            ref = e["valueFrom"]["configMapKeyRef"]
            env[e["name"]] = config_maps[ref["name"]][ref["key"]]
        else:  # fieldRef (pod index, pod name): any valid value
            env[e["name"]] = "0"
    return env


def test_k8s_containers_run_real_pantau_commands(manifests, monkeypatch):
    config_maps = {d["metadata"]["name"]: d.get("data", {}) for _, d in manifests if d["kind"] == "ConfigMap"}
    commands = set()
    for name, doc, pod in _pod_specs(manifests):
        for c in pod["containers"]:
            if not c["image"].split(":")[0].endswith("pantau"):
                continue  # e.g. Alertmanager
            assert "command" not in c, f"{name}: keep the image's `pantau` entrypoint"
            env = _container_env(c, config_maps)
            args = [re.sub(r"\$\((\w+)\)", lambda m: env[m.group(1)], a) for a in c["args"]]
            check_pantau_args(args, monkeypatch, f"{name} {doc['kind']}/{doc['metadata']['name']}")
            commands.add(args[0])
    assert commands >= {"run", "monitor"}


def test_k8s_statefulset_replicas_match_instance_count(manifests):
    config_maps = {d["metadata"]["name"]: d.get("data", {}) for _, d in manifests if d["kind"] == "ConfigMap"}
    (sts,) = [d for _, d in manifests if d["kind"] == "StatefulSet"]
    (container,) = sts["spec"]["template"]["spec"]["containers"]
    env = _container_env(container, config_maps)
    args = [re.sub(r"\$\((\w+)\)", lambda m: env[m.group(1)], a) for a in container["args"]]
    assert "--instance_index=$(POD_INDEX)" in container["args"]
    index_env = [e for e in container["env"] if e["name"] == "POD_INDEX"][0]
    assert index_env["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.labels['apps.kubernetes.io/pod-index']"
    opts = PipelineOptions(args[1:]).view_as(PantauOptions)
    assert opts.instance_count == sts["spec"]["replicas"]
    monitors = [d for _, d in manifests if d["kind"] == "Deployment" and
                d["spec"]["template"]["spec"]["containers"][0]["args"][0] == "monitor"]
    assert monitors and all(d["spec"]["replicas"] == 1 and d["spec"]["strategy"]["type"] == "Recreate"
                            for d in monitors), "exactly one monitor, never two during a rollout"


def test_k8s_watchlist_config_map_is_the_repository_watchlist(manifests):
    (cm,) = [d for _, d in manifests if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "pantau-watchlist"]
    canonical = yaml.safe_load((DEPLOY / "watchlists" / "issues.yaml").read_text(encoding="utf-8"))
    assert yaml.safe_load(cm["data"]["issues.yaml"]) == canonical, \
        "deploy/k8s/01-config.yaml is out of date: regenerate it from deploy/watchlists/issues.yaml"


# ----------------------------------------------------------------------------------------------
# Flink, Dataflow, install.sh
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("script", ["flink/run-flink.sh", "dataflow/run-dataflow.sh"])
def test_runner_scripts_use_real_options(script, monkeypatch):
    path = DEPLOY / script
    assert subprocess.run(["bash", "-n", str(path)], capture_output=True).returncode == 0
    text = path.read_text(encoding="utf-8")
    block = re.search(r"^ARGS=\(\n(.*?)^\)", text, re.S | re.M)
    assert block, f"{script}: no ARGS=( ... ) block"
    extra = re.findall(r"ARGS\+=\((.*?)\)", text)
    lines = block.group(1).splitlines() + [a for e in extra for a in e.split()]
    args = []
    for line in lines:
        line = line.split("#")[0].strip()
        if line:
            args.append(re.sub(r'"?\$\{?\w+(:-([^}]*))?\}?"?', lambda m: m.group(2) or "1", line))
    check_pantau_args(["run", *args], monkeypatch, script)
    assert "exec pantau run" in text


def test_install_script_installs_docker_compose_when_missing():
    text = (DEPLOY / "install.sh").read_text(encoding="utf-8")
    assert "docker-compose" in text and "apt-get install" in text
    assert re.search(r"command -v docker-compose", text), "install only when missing"
    assert re.search(r'id -u\)" -eq 0', text), "install only as root"
    assert subprocess.run(["bash", "-n", str(DEPLOY / "install.sh")]).returncode == 0


# ----------------------------------------------------------------------------------------------
# Alertmanager
# ----------------------------------------------------------------------------------------------


def test_alertmanager_config_is_valid_and_routes_issue_alerts(tmp_path):
    amtool = shutil.which("amtool")
    if amtool is None:
        pytest.fail("amtool is not installed: run `bash deploy/install.sh` as root "
                    "(Debian package prometheus-alertmanager)")
    result = subprocess.run([amtool, "check-config", str(DEPLOY / "alertmanager" / "alertmanager.yml")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    config = yaml.safe_load((DEPLOY / "alertmanager" / "alertmanager.yml").read_text(encoding="utf-8"))
    # one notification per monitor alert: grouped by its stable labels
    assert {"issue", "kind", "alert_key"} <= set(config["route"]["group_by"])
    team = next(r for r in config["receivers"] if r["name"] == config["route"]["receiver"])
    assert {"telegram_configs", "email_configs", "slack_configs", "webhook_configs"} <= set(team)
    # the routing tree sends a monitor alert to the team and a rule alert to operations
    routes = subprocess.run(
        [amtool, "config", "routes", "test", "--config.file",
         str(DEPLOY / "alertmanager" / "alertmanager.yml"), "source=pantau-monitor", "issue=Banjir"],
        capture_output=True, text=True)
    assert routes.stdout.strip() == "tim-komunikasi", routes.stdout + routes.stderr
    routes = subprocess.run(
        [amtool, "config", "routes", "test", "--config.file",
         str(DEPLOY / "alertmanager" / "alertmanager.yml"), "alertname=PantauConsumerLagGrowing"],
        capture_output=True, text=True)
    assert routes.stdout.strip() == "operasional", routes.stdout + routes.stderr


def test_monitor_and_prometheus_send_to_alertmanager(compose, manifests):
    services = compose["services"]
    am = services["monitor"]["environment"]["ALERTMANAGER_URL"]
    assert am.split("//")[1].split(":")[0] in services
    for path in (DEPLOY / "docker" / "prometheus.yml", DEPLOY / "prometheus" / "prometheus.yml"):
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"], path
    assert "alertmanager:9093" in yaml.safe_dump(yaml.safe_load(
        (DEPLOY / "docker" / "prometheus.yml").read_text(encoding="utf-8")))
    config_maps = {d["metadata"]["name"]: d.get("data", {}) for _, d in manifests if d["kind"] == "ConfigMap"}
    monitor = next(d for _, d in manifests if d["kind"] == "Deployment" and d["metadata"]["name"] == "pantau-monitor")
    env = _container_env(monitor["spec"]["template"]["spec"]["containers"][0], config_maps)
    services_k8s = {d["metadata"]["name"] for _, d in manifests if d["kind"] == "Service"}
    assert env["ALERTMANAGER_URL"].split("//")[1].split(".")[0] in services_k8s


def test_k8s_pipeline_and_monitor_use_separate_api_keys(manifests):
    keys = {}
    for _, doc in manifests:
        if doc["kind"] not in ("StatefulSet", "Deployment") or doc["metadata"]["name"] == "pantau-alertmanager":
            continue  # Alertmanager does not talk to Elasticsearch
        for container in doc["spec"]["template"]["spec"]["containers"]:
            env = {e["name"]: e.get("value") for e in container.get("env", [])}
            assert "PANTAU_ES_PASSWORD_FILE" not in env and "PANTAU_ES_USERNAME_FILE" not in env
            keys[doc["metadata"]["name"]] = env.get("PANTAU_ES_API_KEY_FILE")
    assert keys == {"pantau-pipeline": "/var/run/secrets/pantau/es_api_key",
                    "pantau-monitor": "/var/run/secrets/pantau/monitor_es_api_key"}
    (secret,) = [d for _, d in manifests if d["kind"] == "Secret" and d["metadata"]["name"] == "pantau-secrets"]
    assert {"es_api_key", "monitor_es_api_key"} <= set(secret["stringData"])
