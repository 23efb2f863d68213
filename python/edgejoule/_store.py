"""Stores (SQLite file or PostgreSQL fleet store) as data: points, the frontier, a recommendation."""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Union

from . import _edgejoule

try:
    import pandas as _pd
except ImportError:  # pandas is optional: lists of dicts then
    _pd = None


def _table(columns: List[str], rows: List[List[Any]]) -> Any:
    if _pd is not None:
        return _pd.DataFrame(rows, columns=columns)
    return [dict(zip(columns, row)) for row in rows]


class Answer(dict):
    """recommend's or frontier's answer: the dict `edgejoule recommend --json` (or `frontier
    --json`) prints, with the CLI's text in `.text` (also what str() and a notebook show)."""

    text: str

    def __init__(self, data: Dict[str, Any], text: str) -> None:
        super().__init__(data)
        self.text = text

    def __str__(self) -> str:
        return self.text

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # IPython and Jupyter
        printer.text(self.text)

    def table(self) -> Any:
        """The points of the answer, one row each with the CSV export's columns plus `role` (chosen,
        runner-up, frontier step, ...): a DataFrame with pandas, else a list of dicts."""
        rows: List[Dict[str, Any]] = []

        def add(candidate: Optional[Dict[str, Any]], role: str, **extra: Any) -> None:
            if not candidate:
                return
            row = {"role": role, "label": candidate["label"], "predicted": candidate["predicted"],
                   "energy_j_per_inference": candidate["energy_j_per_inference"], "top1": candidate["top1"],
                   "latency_ms_p99": candidate["latency_ms_p99"]}
            row.update(extra)
            rows.append(row)

        if "frontier" in self:
            for step in self["frontier"]:
                add(step["candidate"], "frontier", x=step["x"], accuracy_per_joule=step["accuracy_per_joule"])
        else:
            add(self.get("chosen"), "chosen")
            for c in self.get("runners_up", []):
                add(c, "runner-up")
            if self.get("next_step"):
                add(self["next_step"]["candidate"], "next step up")
            if self.get("cheapest"):
                add(self["cheapest"]["candidate"], "cheapest")
        if _pd is not None:
            return _pd.DataFrame(rows)
        return rows


class Store:
    """An open store. Reads only: profile() writes through its own `db`."""

    def __init__(self, uri: str) -> None:
        self.uri = uri
        # Opened once here so that a missing, corrupt or locked store, or a URI with a password,
        # fails now with its sentence (the password masked), not at the first query.
        self.location: str = _edgejoule.store_location(uri)

    def points(self, model: str = "", status: str = "") -> Any:
        """Every stored point (or one model's, or one status's: VALID, INVALID, UNSUPPORTED), with
        the columns of `edgejoule export --format csv`: a pandas DataFrame, or a list of dicts
        without pandas. Energy comes with its provenance (energy_provenance), accuracy with its
        source (accuracy_source)."""
        columns, rows = _edgejoule.store_points(self.uri, model, status)
        return _table(columns, rows)

    def frontier(self, x: str = "energy", dataset: str = "", host: str = "", device: str = "",
                 energy_source: str = "auto", rate_qps: Optional[float] = None) -> Answer:
        """The Pareto frontier of top-1 accuracy against energy per inference (x="energy") or p99
        latency (x="latency"), as `edgejoule frontier --json`; .table() for a DataFrame."""
        data, text = _edgejoule.frontier(self.uri, x, dataset, host, device, energy_source, rate_qps)
        return Answer(data, text)

    def recommend(self, energy_budget_j: Optional[float] = None, latency_limit_ms: Optional[float] = None, *,
                  min_accuracy: Optional[float] = None, max_memory_mb: Optional[float] = None,
                  objective: str = "accuracy", dataset: str = "", host: str = "", device: str = "",
                  energy_source: str = "auto", rate_qps: Optional[float] = None,
                  power_budget_w: Optional[float] = None, predict: bool = False, zoo: str = "",
                  runners_up: int = 3, mix: bool = False, latency_ms_p99: Optional[float] = None) -> Answer:
        """The model and configuration with the best accuracy within `energy_budget_j` per inference
        and a p99 latency of `latency_limit_ms` per call, as `edgejoule recommend --json`:
        answer["chosen"] (None when nothing fits: see answer["cheapest"]), answer["budget_use"],
        answer["binding_constraints"], runners-up and the next step up. str(answer) is the CLI's text."""
        if latency_limit_ms is not None and latency_ms_p99 is not None and latency_limit_ms != latency_ms_p99:
            raise _edgejoule.Error("give the latency limit once: latency_limit_ms or latency_ms_p99")
        latency = latency_limit_ms if latency_limit_ms is not None else latency_ms_p99
        data, text = _edgejoule.recommend(
            self.uri, float(energy_budget_j or 0), latency, min_accuracy, max_memory_mb, objective, dataset, host,
            device, energy_source, rate_qps, power_budget_w, predict, zoo, int(runners_up), mix)
        return Answer(data, text)

    def __repr__(self) -> str:
        return f"Store({self.location})"


def open_store(uri: Union[str, "os.PathLike[str]"] = "edgejoule.db") -> Store:
    """Opens a store for reading: an SQLite file (PATH or sqlite:PATH) or a PostgreSQL fleet store
    (postgresql://USER@HOST:PORT/DB, the password from PGPASSWORD or ~/.pgpass: a URI carrying one
    is refused, the password masked in the message)."""
    return Store(str(uri))

