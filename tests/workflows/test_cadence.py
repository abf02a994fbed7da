"""The reminder cadence on real timers (time-skipping server): quiet hours in the store's own timezone,
for a store in Paris and one in New York, and across a daylight-saving change.

The test server's clock jumps ahead when a workflow completes, so dates are set in the year after it."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from temporalio.testing import WorkflowEnvironment

from devstack import demo
from domain.order_state import OrderState
from domain.policy import OrderPolicy
from domain.status import OrderStatus
from domain.values import StoreProfile, TimelineEntry
from tests.conftest import placement
from tests.workflows.test_pickup_timers import running
from workflows.contracts import OrderInput

PARIS, NEW_YORK = ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York")
PARIS_STORE, NEW_YORK_STORE = demo.STORES[0], demo.STORES[3]


def ready_order(store: dict, ready_at: datetime, policy: OrderPolicy | None = None) -> OrderInput:
    policy = policy or OrderPolicy()
    order = placement(store_id=store["id"])
    state = OrderState(
        order_id=order.order_id,
        placement=order,
        status=OrderStatus.READY,
        store=StoreProfile.model_validate(store),
        ready_at=ready_at,
        pickup_deadline=ready_at + policy.hold_period,
        pickup_code="135790",
        version=4,
        timeline=[TimelineEntry(at=ready_at, status=OrderStatus.READY, actor="test")],
    )
    return OrderInput(placement=order, policy=policy, carry_on_from=state)


async def sent_local(
    env: WorkflowEnvironment, order_input: OrderInput, zone: ZoneInfo
) -> list[tuple[str, datetime]]:
    """What went out and when, in the store's local time, to the second."""
    async with running(env, order_input) as (handle, fakes):
        await handle.result()
    return [
        (m.kind.value, at.astimezone(zone).replace(microsecond=0))
        for m, at in zip(fakes.sent, fakes.sent_at, strict=True)
    ]


async def next_year(env: WorkflowEnvironment) -> int:
    return (await env.get_current_time()).year + 1


def last_sunday_of_march(year: int) -> date:
    day = date(year, 3, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


async def test_late_evening_order_in_paris_hears_from_us_at_eight_local(
    time_skipping: WorkflowEnvironment,
) -> None:
    year = await next_year(time_skipping)
    ready = datetime(year, 1, 14, 22, 15, tzinfo=PARIS)
    sent = await sent_local(time_skipping, ready_order(PARIS_STORE, ready), PARIS)
    assert sent == [
        ("pickup_reminder", datetime(year, 1, 16, 8, 0, tzinfo=PARIS)),  # +24 h falls at 22:15: held to 08:00
        ("expiry_warning", datetime(year, 1, 17, 8, 0, tzinfo=PARIS)),
        ("order_expired", datetime(year, 1, 17, 22, 15, tzinfo=PARIS)),  # expiry itself does not wait
    ]


async def test_new_york_quiet_hours_are_new_york_hours(time_skipping: WorkflowEnvironment) -> None:
    year = await next_year(time_skipping)
    ready = datetime(year, 1, 14, 22, 15, tzinfo=NEW_YORK)
    sent = await sent_local(time_skipping, ready_order(NEW_YORK_STORE, ready), NEW_YORK)
    assert sent[:2] == [
        ("pickup_reminder", datetime(year, 1, 16, 8, 0, tzinfo=NEW_YORK)),
        ("expiry_warning", datetime(year, 1, 17, 8, 0, tzinfo=NEW_YORK)),
    ]
    assert sent[0][1].astimezone(UTC).time() == time(13, 0)  # five hours after Paris' 08:00 (07:00 UTC)


async def test_over_the_spring_change_the_reminder_still_comes_at_eight(
    time_skipping: WorkflowEnvironment,
) -> None:
    sunday = last_sunday_of_march(await next_year(time_skipping))  # Paris moves to summer time that night
    ready = datetime.combine(sunday - timedelta(days=2), time(23, 30), tzinfo=PARIS)
    sent = await sent_local(time_skipping, ready_order(PARIS_STORE, ready), PARIS)
    reminder = sent[0][1]
    assert sent[0][0] == "pickup_reminder"
    assert reminder == datetime.combine(sunday, time(8, 0), tzinfo=PARIS)
    assert reminder.utcoffset() == timedelta(hours=2) and reminder.astimezone(UTC).time() == time(6, 0)


async def test_a_daytime_order_keeps_its_exact_cadence(time_skipping: WorkflowEnvironment) -> None:
    ready = datetime(await next_year(time_skipping), 1, 14, 11, 0, tzinfo=NEW_YORK)
    sent = await sent_local(time_skipping, ready_order(NEW_YORK_STORE, ready), NEW_YORK)
    assert [at - ready for _, at in sent] == [timedelta(hours=24), timedelta(hours=48), timedelta(hours=72)]
