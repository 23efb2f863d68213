"""edgejoule from Python: energy windows on the device's own meter, stores as data frames,
frontiers, recommendations and profiles, all computed by edgejoule's C++ library.

    import edgejoule
    with edgejoule.Monitor() as monitor:          # the meter `edgejoule profile` would choose
        with monitor.window("inference") as w:
            run_my_model()
    print(w.energy_j, w.provenance)

    store = edgejoule.open_store("edgejoule.db")
    store.points()                                 # a pandas DataFrame, the CSV export's columns
    store.recommend(energy_budget_j=0.3, latency_limit_ms=50)

Errors raise edgejoule.Error (or a subclass) with the sentence the CLI prints.
"""

from ._edgejoule import ConnectionLostError, Error, MeterError, UnsupportedError, __version__
from ._monitor import Monitor, TooShortWarning, Window, meters
from ._profile import ProfileResult, profile
from ._store import Answer, Store, open_store

__all__ = [
    "Answer",
    "ConnectionLostError",
    "Error",
    "MeterError",
    "ProfileResult",
    "Monitor",
    "Store",
    "TooShortWarning",
    "UnsupportedError",
    "Window",
    "__version__",
    "meters",
    "open_store",
    "profile",
]
