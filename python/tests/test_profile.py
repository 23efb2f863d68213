"""profile() runs the profiler in this process: the points it stores are the CLI's (same store,
same host, so the CLI resumes them), with progress events, and bad input says why."""

import pytest

import edgejoule
from conftest import FMNIST_ZOO, cli

# As conftest.FMNIST_PROFILE: short windows, a wide max_cv (behaviour, not figures, is checked).
SHORT = dict(threads=1, meter="estimate", min_time_s=0.2, warmup_s=0.2, dataset="fmnist:test,limit=300", max_cv=0.9)


def test_profile_in_process_stores_points_the_cli_then_resumes(tmp_path):
    db = tmp_path / "py.db"
    events = []
    result = edgejoule.profile(zoo=FMNIST_ZOO, db=db, progress=lambda e, d: events.append((e, d)), **SHORT)
    assert result.measured == 2 and not result.failures and not result.interrupted
    assert events[0] == ("sweep_start", {"points": 2})
    ends = [d for e, d in events if e == "point_end"]
    assert all(d["status"] in ("VALID", "INVALID") for d in ends), ends  # INVALID: a busy machine's windows
    assert {d["model"] for d in ends} == set(result.points["model"])
    assert all(s.startswith("measured:fmnist:test:300") for s in result.points["accuracy_provenance"])
    assert set(result.points["energy_provenance"]) == {"estimated:cpu-time"}

    # The CLI sees them as this host's points of the same sweep: nothing left to measure.
    r = cli("profile", "--zoo", str(FMNIST_ZOO), "--db", str(db), "--threads", "1", "--meter", "estimate",
            "--min-time-s", "0.2", "--warmup-s", "0.2", "--dataset", "fmnist:test,limit=300", "--max-cv", "0.9")
    assert r.returncode == 0, r.stderr
    assert "0 measured, 0 unsupported, 2 skipped" in r.stderr

    # And profile() resumes too; one model by name, a configuration field by its name.
    again = edgejoule.profile("fmnist_mlp_xs", zoo=FMNIST_ZOO, db=db, progress=False, **SHORT)
    assert again.measured == 0 and again.skipped == 1


def test_profile_takes_configuration_fields_by_name(tmp_path):
    db = tmp_path / "offline.db"
    settings = dict(SHORT, threads=2)
    result = edgejoule.profile(zoo=FMNIST_ZOO, db=db, progress=False, scenario="offline", concurrency=2,
                               repetitions=2, **settings)
    assert result.measured == 2, result.points["reason"].tolist()
    assert set(result.points["scenario"]) == {"offline"}
    assert set(result.points["concurrency"]) == {2}
    # What cannot run is stored UNSUPPORTED with the reason, as by the CLI.
    one = edgejoule.profile(zoo=FMNIST_ZOO, db=db, progress=False, scenario="offline", concurrency=2, **SHORT)
    assert one.unsupported == 2
    assert all("2 requests in flight need at least 2 intra-op threads" in r for r in one.points["reason"])


def test_bad_profile_requests_say_why(tmp_path):
    with pytest.raises(edgejoule.Error, match="unknown keyword 'batchsize'"):
        edgejoule.profile(zoo=FMNIST_ZOO, db=tmp_path / "x.db", batchsize=4)
    with pytest.raises(edgejoule.Error, match="--engine"):
        edgejoule.profile(zoo=FMNIST_ZOO, db=tmp_path / "x.db", engine="tensorrt")
    with pytest.raises(edgejoule.Error, match="nothing to profile"):
        edgejoule.profile(db=tmp_path / "x.db")
    with pytest.raises(edgejoule.Error, match="--batch"):
        edgejoule.profile(zoo=FMNIST_ZOO, db=tmp_path / "x.db", batch=0)
    assert not (tmp_path / "x.db").exists()  # refused before the store was touched
