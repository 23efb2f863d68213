"""Stores from Python: a store the CLI wrote reads back identically (every cell of the CSV
export), recommend and frontier give the CLI's answers, and bad stores say why."""

import csv
import io
import math
import sqlite3

import pytest

import edgejoule
from conftest import cli


def cell_text(value):
    """A value as the CSV export writes it (core/result_row.cpp, flat_text)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(value, ".9g")
    return str(value)


def test_a_store_the_cli_wrote_reads_back_identically(cli_store):
    exported = cli("export", "--db", str(cli_store), "--format", "csv")
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.reader(io.StringIO(exported.stdout)))
    header, cells = rows[0], rows[1:]
    points = edgejoule.open_store(cli_store).points()
    assert list(points.columns) == header
    assert len(points) == len(cells) >= 2
    for i, row in enumerate(points.itertuples(index=False)):
        for column, value, text in zip(header, row, cells[i]):
            if isinstance(value, float) and not math.isnan(value) and text:
                # pandas holds integers of a column with gaps as floats
                assert float(text) == pytest.approx(value, rel=1e-8), column
            else:
                assert cell_text(value) == text, column
    assert set(points["energy_provenance"]) == {"estimated:cpu-time"}
    assert all(s.startswith("measured:fmnist:test:300") for s in points["accuracy_provenance"])
    # One model's rows, and the status filter.
    model = points["model"].iloc[0]
    assert set(edgejoule.open_store(cli_store).points(model=model)["model"]) == {model}
    assert len(edgejoule.open_store(cli_store).points(status="UNSUPPORTED")) == 0


def test_points_without_pandas_are_dicts(cli_store, monkeypatch):
    from edgejoule import _store
    monkeypatch.setattr(_store, "_pd", None)
    points = edgejoule.open_store(cli_store).points()
    assert isinstance(points, list) and isinstance(points[0], dict)
    assert "energy_j_per_inference" in points[0]


def test_recommend_and_frontier_answer_as_the_cli_does(cli_store):
    import json
    store = edgejoule.open_store(cli_store)
    points = store.points()
    budget = float(points["energy_j_per_inference"].max()) * 1.01
    answer = store.recommend(energy_budget_j=budget, latency_limit_ms=1000)
    r = cli("recommend", "--db", str(cli_store), "--energy-budget-j", repr(budget), "--latency-p99-ms", "1000", "--json")
    assert r.returncode == 0, r.stderr
    expected = json.loads(r.stdout)
    assert answer["chosen"]["label"] == expected["chosen"]["label"]
    assert answer["budget_use"] == pytest.approx(expected["budget_use"])
    assert answer["constraints"]["latency_ms_p99"] == 1000
    assert "Chosen:" in str(answer) and answer.text == cli(
        "recommend", "--db", str(cli_store), "--energy-budget-j", repr(budget), "--latency-p99-ms", "1000").stdout
    assert answer.table()["role"].iloc[0] == "chosen"

    frontier = store.frontier()
    f = cli("frontier", "--db", str(cli_store), "--json")
    assert [s["candidate"]["label"] for s in frontier["frontier"]] == \
        [s["candidate"]["label"] for s in json.loads(f.stdout)["frontier"]]
    assert len(frontier.table()) == len(frontier["frontier"])

    # Nothing fits: no choice, the cheapest point and the budget it needs (the CLI exits 3).
    tight = store.recommend(energy_budget_j=1e-12)
    assert tight["chosen"] is None and tight["cheapest"]["budget_needed_j"] > 1e-12


def test_bad_stores_and_questions_say_why(tmp_path, cli_store):
    with pytest.raises(edgejoule.Error) as raised:
        edgejoule.open_store("postgresql://alice:s3cret@localhost:5432/fleet")
    assert "s3cret" not in str(raised.value)
    assert "carries a password" in str(raised.value) and "alice" in str(raised.value)
    assert raised.value.exit_code == 2

    with pytest.raises(edgejoule.Error, match="missing.db"):
        edgejoule.open_store(tmp_path / "missing.db")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(edgejoule.Error, match="junk.db"):
        edgejoule.open_store(junk)

    store = edgejoule.open_store(cli_store)
    with pytest.raises(edgejoule.Error, match="energy-budget-j"):
        store.recommend()
    with pytest.raises(edgejoule.Error, match="unknown objective 'cheap'"):
        store.recommend(energy_budget_j=1, objective="cheap")
    with pytest.raises(edgejoule.Error, match="unknown axis"):
        store.frontier(x="memory")
