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
    def __init__(self) -> None:
        self._done: set[str] = set()

    @workflow.run
    async def run(self) -> int:
        await workflow.wait_condition(lambda: "collect" in self._done and workflow.all_handlers_finished())
        return len(self._done)

    async def _step(self, name: str) -> str:
        for _ in range(LOCAL_ACTIVITIES_PER_UPDATE[name]):
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
