# Type stubs of the C++ module (python/bindings.cpp); the package's Python modules wrap it.
from typing import Any, Callable, Dict, List, Optional, Tuple

__version__: str

class Error(RuntimeError):
    exit_code: int

class MeterError(Error): ...
class UnsupportedError(Error): ...
class ConnectionLostError(Error): ...

def meters(sysfs_root: str = "/") -> List[Dict[str, Any]]: ...

class Monitor:
    def __init__(self, meter: str, device: str, sysfs_root: str, periods_per_window: float) -> None: ...
    def begin(self, name: str) -> None: ...
    def end(self, name: str) -> Dict[str, Any]: ...
    def cancel(self, name: str) -> None: ...
    def open_windows(self) -> List[str]: ...
    def meter_info(self) -> Dict[str, Any]: ...
    def close(self) -> None: ...

def store_points(uri: str, model: str, status: str) -> Tuple[List[str], List[List[Any]]]: ...
def store_location(uri: str) -> str: ...
def recommend(db: str, energy_budget_j: float, latency_ms_p99: Optional[float], min_accuracy: Optional[float],
              max_memory_mb: Optional[float], objective: str, dataset: str, host: str, device: str,
              energy_source: str, rate_qps: Optional[float], power_budget_w: Optional[float], predict: bool,
              zoo: str, runners_up: int, mix: bool) -> Tuple[Dict[str, Any], str]: ...
def frontier(db: str, x: str, dataset: str, host: str, device: str, energy_source: str,
             rate_qps: Optional[float]) -> Tuple[Dict[str, Any], str]: ...

class ProtocolSettings:
    warmup_s: float
    warmup_min_iterations: int
    min_time_s: float
    min_window_iterations: int
    repetitions: int
    max_cv: float
    meter_periods_per_window: float
    idle_baseline: bool
    def __init__(self) -> None: ...

class ProfileRequest:
    model_files: List[str]
    zoo_dir: str
    models_filter: str
    engines: str
    devices: str
    precisions: str
    batches: str
    threads: str
    knobs: Dict[str, str]
    input_shape: str
    meter: str
    cross_check_meter: str
    dataset: str
    db: str
    sysfs_root: str
    protocol: ProtocolSettings
    force: bool
    retry_invalid: bool
    strategy: str
    budgets: List[float]
    round_size: int
    tolerance: float
    def __init__(self) -> None: ...

def profile(request: ProfileRequest, progress: Optional[Callable[[str, Dict[str, Any]], None]]) -> Dict[str, Any]: ...
def configuration_fields() -> List[Dict[str, Any]]: ...
def engines() -> List[Dict[str, Any]]: ...
