"""Energy windows (the C++ edgejoule::Monitor): begin/end by name, nesting and overlapping."""

from __future__ import annotations

import functools
import warnings
from typing import Any, Callable, Dict, List, Optional, TypeVar

from . import _edgejoule

F = TypeVar("F", bound=Callable[..., Any])


class TooShortWarning(UserWarning):
    """A window shorter than 10 of the meter's update periods: its energy is too coarse to trust."""


def meters(sysfs_root: str = "/") -> List[Dict[str, Any]]:
    """Every energy source edgejoule knows on this machine, found or not, as `edgejoule meters`
    lists them: name, available, covers, why_unavailable (None when available) and meter_flag
    (what to pass as Monitor(meter=...) or --meter)."""
    return _edgejoule.meters(sysfs_root)


class Window:
    """One measured window. Before it ends (inside `with monitor.window(...)`) only `name` is set.

    energy_j, duration_s and mean_power_w are what the meter gave; `provenance` says whether they
    are measured ("measured:<meter>") or estimated ("estimated:cpu-time"), `covers` what they
    include. `too_short` is set, with the figures in `too_short_reason`, when the window lasted
    less than 10 of the meter's update periods.
    """

    name: str
    start_s: float
    duration_s: float
    energy_j: float
    mean_power_w: float
    meter: str
    covers: str
    provenance: str
    measured: bool
    updates: int
    update_period_s: float
    too_short: bool
    too_short_reason: str

    def __init__(self, name: str, figures: Optional[Dict[str, Any]] = None) -> None:
        self.name = name
        self._done = figures is not None
        if figures:
            self.__dict__.update(figures)

    @property
    def done(self) -> bool:
        """True once the window has ended and carries its figures."""
        return self._done

    def to_dict(self) -> Dict[str, Any]:
        """The window's figures as a dict (the keys of the attributes above)."""
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def __repr__(self) -> str:
        if not self._done:
            return f"Window({self.name!r}, open)"
        flag = ", TOO SHORT" if self.too_short else ""
        return (f"Window({self.name!r}, {self.energy_j:.4g} J over {self.duration_s:.3f} s = "
                f"{self.mean_power_w:.3g} W, {self.provenance}{flag})")


class _WindowContext:
    """`monitor.window(name)`: a context manager, and a decorator measuring each call."""

    def __init__(self, monitor: "Monitor", name: str) -> None:
        self._monitor = monitor
        self._name = name
        self._window: Optional[Window] = None

    def __enter__(self) -> Window:
        self._monitor.begin(self._name)
        self._window = Window(self._name)
        return self._window

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None:
            # The work failed: no figure for a window whose work did not finish.
            self._monitor._native.cancel(self._name)
            return
        result = self._monitor.end(self._name)
        assert self._window is not None
        self._window.__dict__.update(result.to_dict())
        self._window._done = True

    def __call__(self, function: F) -> F:
        @functools.wraps(function)
        def measured(*args: Any, **kwargs: Any) -> Any:
            with _WindowContext(self._monitor, self._name):
                return function(*args, **kwargs)

        return measured  # type: ignore[return-value]


class Monitor:
    """Measures the energy of named windows of your own code with the device's meter.

    meter: "auto" (the meter `edgejoule profile` would use: NVML for device="cuda", else RAPL, a
    board or rail sensor such as a Jetson's INA3221 or a Raspberry Pi 5's PMIC, else the CPU-time
    estimate, which says it is one), or any --meter spec ("rapl", "hwmon:VDD_IN", "nvml:0",
    "log:power.csv", "estimate"). Raises MeterError, saying why, when that meter cannot be read;
    never gives a silent 0.

    Windows may nest and overlap:

        monitor = Monitor()
        monitor.begin("epoch"); monitor.begin("batch") ...; b = monitor.end("batch"); e = monitor.end("epoch")
        with monitor.window("inference") as w: ...
        @monitor.window("step")
        def step(): ...

    Every ended window is kept in `monitor.windows` (oldest first). Use the monitor as a context
    manager, or call close(), to stop the meter's sampling thread.
    """

    def __init__(self, meter: str = "auto", device: str = "cpu", sysfs_root: str = "/",
                 periods_per_window: float = 10) -> None:
        self._native = _edgejoule.Monitor(meter, device, sysfs_root, float(periods_per_window))
        self.windows: List[Window] = []

    @property
    def meter(self) -> Dict[str, Any]:
        """The meter: name, covers, provenance, measured, update_period_s (nominal)."""
        return self._native.meter_info()

    def begin(self, name: str) -> None:
        """Starts window `name` (Error if a window of that name is open)."""
        self._native.begin(name)

    def end(self, name: str) -> Window:
        """Ends window `name` and returns its figures; warns TooShortWarning when it is too short."""
        window = Window(name, self._native.end(name))
        if window.too_short:
            warnings.warn(f"energy window '{name}': {window.too_short_reason}", TooShortWarning, stacklevel=2)
        self.windows.append(window)
        return window

    # Zeus's names for the same calls.
    begin_window = begin
    end_window = end

    def window(self, name: str) -> _WindowContext:
        """A window as a context manager (`with monitor.window("x") as w`) or a decorator."""
        return _WindowContext(self, name)

    def open_windows(self) -> List[str]:
        return self._native.open_windows()

    def close(self) -> None:
        """Stops the meter; the monitor cannot measure afterwards."""
        self._native.close()

    def __enter__(self) -> "Monitor":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        info = self.meter
        return f"Monitor({info['name']}: {info['covers']})"
