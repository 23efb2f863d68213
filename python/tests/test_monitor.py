"""Energy windows from Python on copies of real devices' sensor layouts (tests/fixtures/devices):
a known constant power within 2 %, nesting and overlapping, the decorator and context manager,
too-short windows, and meters that cannot be read."""

import os
import pathlib
import shutil
import threading
import time

import pytest

import edgejoule
from conftest import FAKE_NVML, device_root

ORIN_W = 5.072 * 1.182  # the Orin Nano fixture's VDD_IN: 5.072 V x 1.182 A


def near(value, expected, tolerance=0.02):
    return abs(value - expected) <= expected * tolerance


def test_a_jetsons_board_total_through_nested_and_overlapping_windows():
    with edgejoule.Monitor(sysfs_root=device_root("jetson-orin-nano")) as monitor:
        assert monitor.meter["name"] == "hwmon:ina3221:VDD_IN"
        monitor.begin("outer")
        time.sleep(0.15)
        monitor.begin_window("inner")  # Zeus's name
        time.sleep(0.3)
        monitor.begin("overlapping")
        time.sleep(0.2)
        inner = monitor.end_window("inner")
        time.sleep(0.3)
        outer = monitor.end("outer")
        overlapping = monitor.end("overlapping")
        for w in (inner, outer, overlapping):
            assert near(w.mean_power_w, ORIN_W), w
            assert near(w.energy_j, ORIN_W * w.duration_s), w
            assert w.provenance == "measured:hwmon:ina3221:VDD_IN"
            assert w.measured
            assert "board total (VDD_IN" in w.covers
        assert outer.duration_s > inner.duration_s
        assert [w.name for w in monitor.windows] == ["inner", "outer", "overlapping"]


def test_context_manager_and_decorator_windows():
    monitor = edgejoule.Monitor(sysfs_root=device_root("jetson-orin-nano"))
    with monitor.window("block") as w:
        assert not w.done
        time.sleep(0.4)
    assert w.done and near(w.mean_power_w, ORIN_W)

    @monitor.window("call")
    def work(seconds):
        time.sleep(seconds)
        return "result"

    assert work(0.3) == "result"
    assert work(0.3) == "result"
    calls = [x for x in monitor.windows if x.name == "call"]
    assert len(calls) == 2 and all(near(c.mean_power_w, ORIN_W) for c in calls)

    # Work that raises leaves no window open and no figure.
    with pytest.raises(ZeroDivisionError):
        with monitor.window("failing"):
            1 / 0
    assert monitor.open_windows() == []
    monitor.close()


class CounterWriter:
    """A RAPL energy_uj counter advancing at a constant power, as the kernel's would."""

    def __init__(self, path: pathlib.Path, watts: float) -> None:
        self.path, self.watts = path, watts
        self.start_uj = int(path.read_text())
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        t0 = time.monotonic()
        tmp = self.path.with_suffix(".tmp")
        while not self.stop.is_set():
            tmp.write_text(f"{int(self.start_uj + self.watts * (time.monotonic() - t0) * 1e6)}\n")
            os.replace(tmp, self.path)
            time.sleep(0.001)

    def close(self) -> None:
        self.stop.set()
        self.thread.join()


def test_a_rapl_counter_at_a_known_power(tmp_path):
    root = tmp_path / "rapl"
    shutil.copytree(device_root("amd-zen-rapl"), root)
    writer = CounterWriter(root / "sys/class/powercap/intel-rapl:0/energy_uj", 30.0)
    try:
        with edgejoule.Monitor(sysfs_root=str(root)) as monitor:
            assert monitor.meter["name"] == "rapl:package-0"
            with monitor.window("loop") as w:
                time.sleep(0.8)
    finally:
        writer.close()
    assert near(w.mean_power_w, 30.0), w
    assert not w.too_short, w.too_short_reason


def test_a_raspberry_pi_5s_pmic(monkeypatch):
    monkeypatch.setenv("EDGEJOULE_VCGENCMD", device_root("raspberry-pi-5") + "/vcgencmd")
    with edgejoule.Monitor(sysfs_root=device_root("raspberry-pi-5")) as monitor:
        assert monitor.meter["name"] == "rpi-pmic"
        with monitor.window("w") as w:
            time.sleep(1.1)  # 10 of the PMIC's nominal 0.1 s updates
    assert near(w.mean_power_w, 5.35405), w


def test_a_short_window_warns_with_its_figures(monkeypatch):
    monkeypatch.setenv("EDGEJOULE_NVML_LIBRARY", str(FAKE_NVML))
    monkeypatch.setenv("FAKE_NVML_STEP_MS", "100")
    with edgejoule.Monitor(device="cuda") as monitor:
        assert monitor.meter["name"] == "nvml:0"
        monitor.begin("short")
        time.sleep(0.25)
        # The period as measured from the counter's steps: about 0.1 s.
        with pytest.warns(edgejoule.TooShortWarning, match=r"shorter than 10 x the meter's 0\.(09|10)"):
            w = monitor.end("short")
    assert w.too_short and 0.08 < w.update_period_s < 0.12, w.too_short_reason


def test_a_jetsons_nvml_without_power_gives_way_to_the_rails(monkeypatch):
    monkeypatch.setenv("EDGEJOULE_NVML_LIBRARY", str(FAKE_NVML))
    monkeypatch.setenv("FAKE_NVML_NO_ENERGY", "1")
    monkeypatch.setenv("FAKE_NVML_NO_POWER", "1")
    monkeypatch.setenv("FAKE_NVML_NAME", "Orin (nvgpu)")
    nvml = [m for m in edgejoule.meters(device_root("jetson-orin-nano")) if m["name"] == "nvml"]
    assert nvml and not nvml[0]["available"]
    assert "answers Not Supported for both power and energy" in nvml[0]["why_unavailable"]
    with edgejoule.Monitor(device="cuda", sysfs_root=device_root("jetson-orin-nano")) as monitor:
        assert monitor.meter["name"] == "hwmon:ina3221:VDD_IN"
    with pytest.raises(edgejoule.MeterError, match="Not Supported"):
        edgejoule.Monitor(meter="nvml")


def test_no_meter_raises_the_meters_sentence_and_misuse_says_what_to_do():
    with pytest.raises(edgejoule.MeterError, match="no RAPL zones under") as raised:
        edgejoule.Monitor(meter="rapl", sysfs_root=device_root("jetson-orin-nano"))
    assert raised.value.exit_code == 2
    assert isinstance(raised.value, edgejoule.Error)
    with pytest.raises(edgejoule.Error, match="unknown meter 'joulescope'"):
        edgejoule.Monitor(meter="joulescope")
    monitor = edgejoule.Monitor(sysfs_root=device_root("jetson-orin-nano"))
    with pytest.raises(edgejoule.Error, match="no energy window named 'b' is open"):
        monitor.end("b")
    monitor.begin("a")
    with pytest.raises(edgejoule.Error, match="already open"):
        monitor.begin("a")
    monitor.close()
    with pytest.raises(edgejoule.Error, match="closed"):
        monitor.begin("c")


def test_meters_lists_every_source_with_why():
    sources = {m["name"]: m for m in edgejoule.meters(device_root("jetson-orin-nano"))}
    assert sources["hwmon:ina3221:VDD_IN"]["available"]
    assert not sources["rapl"]["available"] and "no RAPL zones under" in sources["rapl"]["why_unavailable"]
    assert sources["estimate"]["available"]
