"""profile(): the profiler in this process (the C++ sweep, as `edgejoule profile` runs it)."""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Union

from . import _edgejoule
from ._store import _table

Progress = Union[bool, str, Callable[[str, Dict[str, Any]], None]]

# Keywords that set the measurement protocol (the CLI's --warmup-s, --min-time-s, ...).
_PROTOCOL = ("warmup_s", "warmup_min_iterations", "min_time_s", "min_window_iterations", "repetitions", "max_cv",
             "meter_periods_per_window", "idle_baseline")


def _as_list(value: Any) -> str:
    """A sweep list as the flags take it: 1 -> "1", [1, 2] -> "1,2", "1-8*2" as is."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set)):
        return ",".join(_as_text(v) for v in value)
    return _as_text(value)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


class _Bar:
    """Progress: tqdm's bar where a terminal or a notebook shows one (a widget in Jupyter) and tqdm
    is installed; else one line per point on stderr, as the CLI writes to logs."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._tqdm: Any = None
        if sys.stderr.isatty() or "ipykernel" in sys.modules:
            try:
                from tqdm.auto import tqdm
                self._tqdm = tqdm
            except ImportError:
                pass
        self._lines = True

    def __call__(self, event: str, d: Dict[str, Any]) -> None:
        if event == "sweep_start":
            if self._tqdm is not None:
                self._close()
                self._bar = self._tqdm(total=d["points"], unit="point", desc="profile")
            elif self._lines:
                print(f"profiling {d['points']} point(s)", file=sys.stderr)
        elif event in ("point_end", "point_skipped", "point_failed"):
            what = d.get("status") or ("skipped" if event == "point_skipped" else "FAILED")
            text = f"{d['model']} {d['configuration']}: {what}"
            if self._bar is not None:
                self._bar.set_postfix_str(text, refresh=False)
                self._bar.update(1)
            elif self._lines:
                print(f"[{d['index'] + 1}/{d['total']}] {text}", file=sys.stderr)
        elif event == "sweep_end":
            self._close()

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class ProfileResult:
    """What profile() did: counts, the store, and every point of the sweep as stored (`points`,
    a DataFrame with the CSV export's columns, or a list of dicts without pandas)."""

    def __init__(self, native: Dict[str, Any]) -> None:
        self.measured: int = native["measured"]
        self.unsupported: int = native["unsupported"]
        self.skipped: int = native["skipped"]
        self.failures: List[str] = native["failures"]
        self.interrupted: bool = native["interrupted"]
        self.store: str = native["store"]
        self.points: Any = _table(*native["rows"])

    def __repr__(self) -> str:
        return (f"ProfileResult({self.measured} measured, {self.unsupported} unsupported, {self.skipped} skipped, "
                f"{len(self.failures)} failed; store: {self.store})")


def profile(models: Union[None, str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]]] = None, *,
            zoo: Union[str, "os.PathLike[str]", None] = None, db: Union[str, "os.PathLike[str]"] = "edgejoule.db",
            engine: Any = None, device: Any = None, precision: Any = None, batch: Any = None,
            threads: Any = None, meter: str = "auto", cross_check_meter: str = "", dataset: str = "",
            input_shape: str = "", force: bool = False, retry_invalid: bool = False, strategy: str = "grid",
            budgets: Iterable[float] = (), round_size: int = 1, tolerance: float = 0.1, sysfs_root: str = "/",
            progress: Progress = "auto", raise_on_failure: bool = True, **configuration: Any) -> ProfileResult:
    """Profiles models in this process and stores every point in `db`, as `edgejoule profile` does
    (the same sweep, protocol, resume and verdicts; points already stored are skipped).

    models: names of `zoo`'s models (a list or "a,b"), or model files when no zoo is given.
    engine, device, precision, batch, threads: one value or a list (or a range "1-8*2"); None is
    the CLI's default (torchscript, cpu, fp32, 1, all CPUs). Any configuration field goes by its name (scenario="offline",
    concurrency="auto", ov_hint="throughput", ...: `edgejoule profile --help` lists them), and the
    protocol by the CLI's names (min_time_s=2, repetitions=5, max_cv=0.1, ...).
    dataset: "fmnist:test" etc. measures top-1 on it. progress: "auto" (a bar), False, or a
    callable(event, details). Ctrl-C stops after the current window, keeping what is stored.
    Raises Error with the CLI's sentence on bad input, and when points failed (raise_on_failure).
    """
    request = _edgejoule.ProfileRequest()
    if zoo is not None:
        request.zoo_dir = os.fspath(zoo)
        if models is not None:
            request.models_filter = models if isinstance(models, str) else ",".join(os.fspath(m) for m in models)
    elif models is not None:
        request.model_files = [os.fspath(models)] if isinstance(models, (str, os.PathLike)) else \
            [os.fspath(m) for m in models]
    # None keeps the library's default (the CLI's): torchscript, cpu, fp32, batch 1, all CPUs.
    if engine is not None:
        request.engines = _as_list(engine)
    if device is not None:
        request.devices = _as_list(device)
    if precision is not None:
        request.precisions = _as_list(precision)
    if batch is not None:
        request.batches = _as_list(batch)
    if threads is not None:
        request.threads = _as_list(threads)
    request.meter = meter
    request.cross_check_meter = cross_check_meter
    request.dataset = dataset
    request.input_shape = input_shape
    request.db = os.fspath(db)
    request.sysfs_root = sysfs_root
    request.force = force
    request.retry_invalid = retry_invalid
    request.strategy = strategy
    request.budgets = [float(b) for b in budgets]
    request.round_size = int(round_size)
    request.tolerance = float(tolerance)
    protocol = _edgejoule.ProtocolSettings()
    fields = {f["name"] for f in _edgejoule.configuration_fields()}
    knobs: Dict[str, str] = {}
    for name, value in configuration.items():
        if name in _PROTOCOL:
            setattr(protocol, name, value)
        elif name in fields:
            knobs[name] = _as_list(value)
        else:
            raise _edgejoule.Error(
                f"profile() got an unknown keyword '{name}': configuration fields are {', '.join(sorted(fields))}; "
                f"protocol settings are {', '.join(_PROTOCOL)}")
    request.protocol = protocol
    request.knobs = knobs
    if progress is True or progress == "auto":
        callback: Any = _Bar()
    elif progress is False or progress is None:
        callback = None
    elif callable(progress):
        callback = progress
    else:
        raise _edgejoule.Error(f"progress must be 'auto', True, False or a callable, not {progress!r}")
    result = ProfileResult(_edgejoule.profile(request, callback))
    if raise_on_failure and result.failures:
        raise _edgejoule.Error(f"{len(result.failures)} point(s) could not be measured; the first: "
                               f"{result.failures[0]}")
    return result
