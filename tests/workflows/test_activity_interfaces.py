"""Every activity a workflow calls (the interfaces in workflows/activities.py) has exactly one registered
implementation under the same name, on the worker and in the fakes."""

import inspect
from collections.abc import Callable
from typing import Any

import pytest

from activities.carrier import CarrierActivities
from activities.channel_fulfilment import ChannelFulfilmentActivities
from activities.event_delivery import EventDeliveryActivities
from activities.notifications import NotificationActivities
from activities.order_records import OrderRecordActivities
from activities.order_steps import OrderStepActivities
from activities.payments import PaymentActivities
from activities.reconciliation import ReconciliationActivities
from activities.returns import ReturnActivities
from activities.routing import RoutingActivities
from activities.stock import StockActivities
from tests.workflows.fakes import FakeSystems
from worker.main import activities_for
from workflows import activities as interfaces
from workflows.activities import activity_name

INTERFACES = [
    cls
    for cls in vars(interfaces).values()
    if inspect.isclass(cls) and cls.__module__ == interfaces.__name__ and inspect.isabstract(cls)
]
IMPLEMENTATIONS = [
    StockActivities,
    PaymentActivities,
    OrderRecordActivities,
    OrderStepActivities,
    RoutingActivities,
    ReturnActivities,
    CarrierActivities,
    NotificationActivities,
    ReconciliationActivities,
    ChannelFulfilmentActivities,
    EventDeliveryActivities,
]


def _declared() -> dict[str, str]:
    """Activity name → `Interface.method`, for every method an interface declares."""
    return {
        name: f"{interface.__name__}.{method}"
        for interface in INTERFACES
        for method in dir(interface)
        if (name := activity_name(getattr(interface, method)))
    }


def _names(registered: list[Callable[..., Any]]) -> list[str]:
    return sorted(name for method in registered if (name := activity_name(method)))


def test_the_interfaces_declare_every_activity_once() -> None:
    assert len(INTERFACES) == 11 and len(_declared()) == 34


@pytest.mark.parametrize(
    "registered",
    [activities_for(None, {}), FakeSystems().activities()],  # type: ignore[arg-type]
    ids=["worker", "fakes"],
)
def test_every_declared_activity_has_exactly_one_registered_implementation(
    registered: list[Callable[..., Any]],
) -> None:
    assert _names(registered) == sorted(_declared())


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS, ids=lambda cls: cls.__name__)
def test_an_implementation_registers_each_method_under_its_interfaces_name(implementation: type) -> None:
    [interface] = [base for base in implementation.__mro__ if base in INTERFACES]
    for method, _ in inspect.getmembers(interface, inspect.isfunction):
        declared = activity_name(getattr(interface, method))
        if declared:
            assert activity_name(getattr(implementation, method)) == declared, method
