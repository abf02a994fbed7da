"""py-spy on the processes a benchmark measures: collapsed stacks while it runs, then where their time
went, by function (self) and by package (inclusive: a package counts once per sample it is on).

    python -m bench.spy worker.txt [--top 40]     # summarise a profile bench.cpu --spy wrote"""

import argparse
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

PY_SPY = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))


class Spy:
    """`py-spy record --format raw --gil` on each of these processes until stop(): only the thread
    holding the GIL is sampled, so a sample is a moment of Python work (the Rust core's threads and
    waits are not in it)."""

    def __init__(self, folder: Path, pids: dict[str, int], rate: int = 100) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.outputs = {role: folder / f"{role}.txt" for role in pids}
        self.processes = [
            subprocess.Popen(
                [PY_SPY, "record", "--format", "raw", "--gil", "--nonblocking", "--rate", str(rate)]
                + ["-o", str(self.outputs[role]), "--pid", str(pid)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for role, pid in pids.items()
        ]

    def stop(self) -> None:
        for process in self.processes:
            process.send_signal(2)  # SIGINT: py-spy writes its output and exits
        for process in self.processes:
            process.wait(timeout=60)


def stacks(path: Path) -> Counter[tuple[str, ...]]:
    counted: Counter[tuple[str, ...]] = Counter()
    for line in path.read_text().splitlines():
        frames, _, count = line.rpartition(" ")
        if frames:
            counted[tuple(frames.split(";"))] += int(count)
    return counted


def package_of(frame: str) -> str:
    """`function (package/module.py:line)` (py-spy's short paths) -> the top package or module."""
    _, _, where = frame.rpartition(" (")
    return where.split(":")[0].split("/")[0].removesuffix(".py")


def summary(path: Path, top: int = 40, under: str = "") -> str:
    counted = stacks(path)
    total = sum(counted.values()) or 1
    own: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    functions: Counter[str] = Counter()
    for frames, count in counted.items():
        own[frames[-1].split(" (")[0] + " " + package_of(frames[-1])] += count
        for package in {package_of(frame) for frame in frames[1:]}:
            packages[package] += count
        for function in set(frames):
            if under in function:
                functions[function] += count
    lines = [f"{path.name}: {total} samples"]
    for title, table in (("self", own), ("inclusive by package", packages), ("inclusive", functions)):
        lines.append(f"-- {title}")
        lines += [f"{100 * n / total:5.1f}%  {name}" for name, n in table.most_common(top)]
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--under", default="", help="inclusive only for frames containing this")
    arguments = parser.parse_args()
    print(summary(arguments.profile, arguments.top, arguments.under))
