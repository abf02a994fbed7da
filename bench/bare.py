"""The baseline: a workflow with the same steps as an order (updates, local activities, activities)
and no business logic, database or HTTP."""

from datetime import timedelta

from temporalio import activity, workflow

# What one order cost in Temporal terms before one transaction per step (now 1 local activity per update,
# see the OMS line of the benchmark): kept as the fixed reference the ratio is measured against.
UPDATES = ("confirm_intake", "accept", "pick", "mark_ready", "collect")
LOCAL_ACTIVITIES_PER_UPDATE = {"confirm_intake": 4, "accept": 1, "pick": 1, "mark_ready": 1, "collect": 3}
NOTIFICATIONS_PER_UPDATE = {"confirm_intake": 1, "mark_ready": 1, "collect": 1}


@activity.defn(name="bare_step")
async def bare_step(step: str) -> str:
    return step


@workflow.defn(name="BareWorkflow")
class BareWorkflow:
    @workflow.init
    def __init__(self, local_activities_per_update: int | None = None) -> None:
        """None: the reference shape above; a number: that many local activities in every update."""
        self._done: set[str] = set()
        self._local = local_activities_per_update

    @workflow.run
    async def run(self, local_activities_per_update: int | None = None) -> int:
        await workflow.wait_condition(lambda: "collect" in self._done and workflow.all_handlers_finished())
        return len(self._done)

    async def _step(self, name: str) -> str:
        local = LOCAL_ACTIVITIES_PER_UPDATE[name] if self._local is None else self._local
        for _ in range(local):
            await workflow.execute_local_activity(
                bare_step, name, start_to_close_timeout=timedelta(seconds=30)
            )
        for _ in range(NOTIFICATIONS_PER_UPDATE.get(name, 0)):
            await workflow.execute_activity(bare_step, name, start_to_close_timeout=timedelta(seconds=30))
        self._done.add(name)
        return name

    @workflow.update(name="confirm_intake")
    async def confirm_intake(self) -> str:
        return await self._step("confirm_intake")

    @workflow.update(name="accept")
    async def accept(self) -> str:
        return await self._step("accept")

    @workflow.update(name="pick")
    async def pick(self) -> str:
        return await self._step("pick")

    @workflow.update(name="mark_ready")
    async def mark_ready(self) -> str:
        return await self._step("mark_ready")

    @workflow.update(name="collect")
    async def collect(self) -> str:
        return await self._step("collect")


async def serve(address: str, task_queue: str) -> None:
    """A worker for the bare workflow alone, until SIGTERM: `python -m bench.bare ADDRESS TASK_QUEUE`."""
    import asyncio
    import signal

    from temporalio.client import Client
    from temporalio.worker import Worker

    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    client = await Client.connect(address)
    async with Worker(client, task_queue=task_queue, workflows=[BareWorkflow], activities=[bare_step]):
        await stop.wait()


if __name__ == "__main__":
    import asyncio
    import sys

    asyncio.run(serve(sys.argv[1], sys.argv[2]))
