"""A profile of the worker by CPU time (py-spy is not installed here): cProfile in every thread (the
event loop and the threads that run workflow activations), timed by each thread's own CPU clock so
waits for the GIL or the network count as nothing; written out on SIGTERM.

    python -m bench.sampler worker-profile.txt    # then as `oms worker`, from the same environment"""

import asyncio
import cProfile
import io
import os
import pstats
import signal
import sys
import threading
import time
from typing import Any

PROFILES: list[cProfile.Profile] = []


def _profile_this_thread(*_: Any) -> None:
    """Installed by threading.setprofile: on a new thread's first event, its own CPU-time profiler."""
    profile = cProfile.Profile(timer=time.thread_time)
    PROFILES.append(profile)
    profile.enable()


def report(top: int = 45) -> str:
    out = io.StringIO()
    stats = pstats.Stats(*PROFILES, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main(out: str) -> None:
    from config.settings import load_settings
    from worker.main import run_worker

    async def work() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await run_worker(load_settings(), stop)

    threading.setprofile(_profile_this_thread)
    _profile_this_thread()
    asyncio.run(work())
    for profile in PROFILES:
        profile.disable()
    with open(out, "w") as file:
        file.write(report())
    pstats.Stats(*PROFILES).dump_stats(out + ".pstats")  # for pstats' callers/callees
    sys.stdout.flush()
    os._exit(0)  # as `oms worker`: no finalisation while Temporal's native threads run


if __name__ == "__main__":
    main(sys.argv[1])
