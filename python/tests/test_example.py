"""The example users copy (python/examples/energy_and_recommend.py) runs headless on the
Fashion-MNIST models and writes its plot."""

import os
import pathlib
import subprocess
import sys

from conftest import FMNIST_ZOO, ROOT


def test_the_example_measures_plots_and_recommends(tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg")
    plot = tmp_path / "plot.png"
    r = subprocess.run([sys.executable, str(ROOT / "python/examples/energy_and_recommend.py"), "--zoo", str(FMNIST_ZOO),
                        "--db", str(tmp_path / "example.db"), "--plot", str(plot), "--seconds", "1"],
                       capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert plot.exists() and plot.stat().st_size > 10_000
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "mJ per inference [" in r.stdout
    assert "Chosen:" in r.stdout
    assert "measured:fmnist:test:1000" in r.stdout
