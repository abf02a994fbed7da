"""Fault experiments against separately started processes (PostgreSQL, Temporal, `oms api`, `oms worker`):

    python -m bench.chaos [--orders 200] [--fault 15] [--settle 600] [--only NAME ...] [--json FILE]
    python -m bench.chaos --short      # what CI runs: 20 orders, 5 s faults

Each experiment places its orders through the API, drives them to collection as a store would, kills
one part mid-way, starts it again after the fault, then checks that every acknowledged order ended,
nothing happened twice and the stock agrees with its ledger. Prints one table; exits 1 when any
experiment lost, stuck or duplicated anything, answered a 500 or an unnamed 503."""

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

from adapters.db import create_engine
from bench.chaos.experiments import EXPERIMENTS, Result, run
from bench.chaos.stack import Stack
from config.settings import to_sqlalchemy_url


def _named(kind: str) -> bool:
    return kind.startswith("503 ") and kind != "503 unnamed"


def failures(result: Result) -> list[str]:
    outcome, answers = result.outcome, result.answers
    found = [f"{len(outcome.lost)} lost"] if outcome.lost else []
    found += [f"{len(outcome.stuck)} stuck"] if outcome.stuck else []
    found += [f"{len(outcome.duplicated)} duplicated"] if outcome.duplicated else []
    found += [f"{outcome.ledger_drifts} ledger drifts"] if outcome.ledger_drifts else []
    found += [f"{n}× {kind}" for kind, n in answers.items() if kind.startswith("5") and not _named(kind)]
    found += [f"{result.slow_intakes} intakes beyond the wait"] if result.slow_intakes else []
    return found


def table(results: list[Result]) -> str:
    head = (
        "| experiment | orders acked | ended | lost | stuck | duplicated | ledger | 503 named | "
        "500 / unnamed 503 | no answer | intake p50 / max | ready again | /readyz during the fault |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in results:
        o, a = r.outcome, r.answers
        named = sum(n for kind, n in a.items() if _named(kind))
        bad = sum(n for kind, n in a.items() if kind.startswith("5") and not _named(kind))
        silent = sum(n for kind, n in a.items() if kind.startswith("no answer"))
        during = "; ".join(f"{state} ×{n}" for state, n in r.readiness.most_common(3))
        lines.append(
            f"| {r.experiment.name} | {o.acknowledged} | {o.ended} | {len(o.lost)} | {len(o.stuck)} | "
            f"{len(o.duplicated)} | {'agrees' if not o.ledger_drifts else f'{o.ledger_drifts} drifts'} | "
            f"{named} | {bad} | {silent} | {r.intake_p50:.2f} / {r.intake_max:.1f} s | "
            f"{r.ready_again:.1f} s | {during} |"
        )
    return "\n".join(lines)


async def main(args: argparse.Namespace) -> int:
    chosen = [e for e in EXPERIMENTS if not args.only or any(o.lower() in e.name.lower() for o in args.only)]
    with tempfile.TemporaryDirectory(prefix="oms-chaos-") as temporary:
        scratch = args.keep or temporary
        stack = Stack(Path(scratch))
        started = time.monotonic()
        try:
            await asyncio.to_thread(stack.start)
            print(f"stack up in {time.monotonic() - started:.0f} s; {len(chosen)} experiments", flush=True)
            engine = create_engine(to_sqlalchemy_url(stack.postgres.url))
            results = []
            for experiment in chosen:
                began = time.monotonic()
                result = await run(stack, engine, experiment, args.orders, args.fault, args.settle)
                results.append(result)
                problems = failures(result)
                print(
                    f"{experiment.name}: {time.monotonic() - began:.0f} s, {'; '.join(problems) or 'clean'}",
                    flush=True,
                )
            await engine.dispose()
        finally:
            await asyncio.to_thread(stack.stop)
    print()
    print(table(results))
    for result in results:
        refused = ", ".join(f"{kind} ×{n}" for kind, n in result.answers.items() if kind.startswith("4"))
        for detail in [*result.outcome.stuck[:5], *result.outcome.duplicated[:5], *result.unnamed]:
            print(f"  {result.experiment.name}: {detail}")
        if refused:
            print(f"  {result.experiment.name}: refused {refused}")
    if args.json:
        Path(args.json).write_text(json.dumps([_as_json(r) for r in results], indent=2))
    return 1 if any(failures(r) for r in results) else 0


def _as_json(result: Result) -> dict[str, object]:
    o = result.outcome
    return {
        "experiment": result.experiment.name,
        "acknowledged": o.acknowledged,
        "ended": o.ended,
        "lost": o.lost,
        "stuck": o.stuck,
        "duplicated": o.duplicated,
        "ledger_drifts": o.ledger_drifts,
        "answers": dict(result.answers),
        "intake_p50": result.intake_p50,
        "intake_max": result.intake_max,
        "readiness": dict(result.readiness),
        "ready_again": result.ready_again,
    }


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=200, help="orders per experiment")
    parser.add_argument("--fault", type=float, default=15.0, help="seconds a part stays down")
    parser.add_argument("--settle", type=float, default=600.0, help="seconds an experiment may take")
    parser.add_argument("--only", nargs="*", help="experiments whose name contains one of these")
    parser.add_argument("--short", action="store_true", help="CI's run: 20 orders, 5 s faults")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--keep", help="keep the servers' data and logs in this folder")
    args = parser.parse_args(argv)
    if args.short:
        args.orders, args.fault, args.settle = 20, 5.0, 240.0
    return args


if __name__ == "__main__":
    sys.exit(asyncio.run(main(arguments())))
