"""The chaos suite's short run (CI): PostgreSQL, Temporal, the API and the worker each killed and
started again under load, a burst with no worker, faults during store steps. It fails on any order lost,
stuck or duplicated, any ledger drift, any 500 or unnamed 503, any intake beyond its wait."""

import json
import subprocess
import sys
from pathlib import Path


def test_every_fault_costs_nothing_and_every_outage_has_a_name(tmp_path: Path) -> None:
    results = tmp_path / "chaos.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench.chaos", "--short", "--json", str(results)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    found = json.loads(results.read_text())
    assert {r["experiment"] for r in found} == {
        "worker killed",
        "API killed",
        "PostgreSQL killed",
        "Temporal killed",
        "burst, no worker",
        "worker killed in store steps",
        "PostgreSQL killed in store steps",
    }
    for result in found:
        assert result["acknowledged"] == result["ended"] == 20, result
        assert not (result["lost"] or result["stuck"] or result["duplicated"] or result["ledger_drifts"])
        assert not [
            kind
            for kind in result["answers"]
            if kind.startswith("5") and kind != "503 unnamed" and not kind.startswith("503 ")
        ]
        assert "503 unnamed" not in result["answers"]
    database_down = next(r for r in found if r["experiment"] == "PostgreSQL killed")
    assert any(kind == "503 database_unavailable" for kind in database_down["answers"])
    assert any(state.startswith("503 database") for state in database_down["readiness"])
    temporal_down = next(r for r in found if r["experiment"] == "Temporal killed")
    assert any(state.startswith("503 temporal") for state in temporal_down["readiness"])
