"""Paths the tests use: from the environment ctest sets (tests/CMakeLists.txt), else the build
tree's defaults, so `.venv/bin/python -m pytest python/tests` also runs after `make test`."""

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _path(variable: str, default: pathlib.Path) -> pathlib.Path:
    return pathlib.Path(os.environ.get(variable) or default)


CLI = _path("EDGEJOULE_CLI", ROOT / "build" / "edgejoule")
FIXTURES = _path("EDGEJOULE_TEST_FIXTURES", ROOT / "tests" / "fixtures")
FMNIST_ZOO = _path("EDGEJOULE_FMNIST_ZOO", ROOT / "build" / "test-fixtures" / "fmnist")
FAKE_NVML = _path("EDGEJOULE_FAKE_NVML", ROOT / "build" / "tests" / "libedgejoule_fake_nvml.so")


def device_root(name: str) -> str:
    return str(FIXTURES / "devices" / name)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(CLI), *args], capture_output=True, text=True)


# The fixture models at one thread, short windows, accuracy on 300 test images (as the CLI tests);
# a wide --max-cv, since these tests check behaviour, not figures, on a machine busy with others.
FMNIST_PROFILE = ["--threads", "1", "--dataset", "fmnist:test,limit=300", "--min-time-s", "0.2", "--warmup-s",
                  "0.2", "--meter", "estimate", "--max-cv", "0.9"]


@pytest.fixture(scope="session")
def cli_store(tmp_path_factory) -> pathlib.Path:
    """A store written by the CLI: the Fashion-MNIST fixture models profiled by `edgejoule profile`."""
    if not CLI.exists():
        pytest.fail(f"{CLI} is missing: build the project first (make build)")
    if not (FMNIST_ZOO / "zoo.json").exists():
        pytest.fail(f"{FMNIST_ZOO} is missing: ctest's fmnist_zoo_train fixture makes it")
    db = tmp_path_factory.mktemp("cli") / "cli.db"
    r = cli("profile", "--zoo", str(FMNIST_ZOO), "--db", str(db), "--quiet", *FMNIST_PROFILE)
    assert r.returncode == 0, r.stderr
    return db
