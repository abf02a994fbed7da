"""The pickup code cannot be brute-forced, and customers follow their order through an unguessable link."""

from urllib.parse import urlparse

import httpx

from tests.conftest import placement
from tests.integration.flow import pickup_code, place, prepare, step

SUPPORT = {"X-API-Key": "test-support"}


async def test_collection_locks_after_five_wrong_codes_until_support_unlocks_it(
    api: httpx.AsyncClient,
) -> None:
    order = placement(lines=[("BOTTLE-1L", 1)])
    assert (await place(api, order)).status_code == 201
    await prepare(api, order)
    code = await pickup_code(api, order)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert (await step(api, order, "collect", {"pickup_code": wrong})).status_code == 422
    locked = await step(api, order, "collect", {"pickup_code": code})
    assert locked.status_code == 423 and locked.json()["error"] == "pickup_locked"

    alerts = (await api.get("/v1/support/alerts", headers=SUPPORT)).json()
    mine = [alert for alert in alerts if alert["order_id"] == order.order_id]
    assert [alert["kind"] for alert in mine] == ["pickup_locked"]

    unlocked = await api.post(
        f"/v1/orders/{order.order_id}/pickup/unlock", headers=SUPPORT, json={"reason": "ID checked"}
    )
    assert unlocked.status_code == 200, unlocked.text
    again = await api.post(f"/v1/orders/{order.order_id}/pickup/unlock", headers=SUPPORT)
    assert again.status_code == 409 and again.json()["error"] == "pickup_not_locked"
    assert (await step(api, order, "collect", {"pickup_code": code})).json()["status"] == "collected"
    alerts = (await api.get("/v1/support/alerts", headers=SUPPORT)).json()
    assert order.order_id not in [alert["order_id"] for alert in alerts]


async def test_customers_follow_their_order_through_a_link_without_contact_data(
    api: httpx.AsyncClient,
) -> None:
    order = placement(lines=[("BOTTLE-1L", 1)])
    assert (await place(api, order)).status_code == 201
    link = (
        await api.get(
            f"/v1/orders/{order.order_id}/tracking-link", headers={"X-API-Key": "test-channel-webshop"}
        )
    ).json()
    path = urlparse(link["url"]).path
    anonymous = {"X-API-Key": ""}

    tracked = (await api.get(path, headers=anonymous)).json()
    assert (tracked["reference"], tracked["status"]) == (order.channel_order_id, "reserved")
    assert "camille" not in str(tracked).lower() and tracked["store"]["email"] is None

    await prepare(api, order)
    tracked = (await api.get(path, headers=anonymous)).json()
    assert tracked["status"] == "ready_for_pickup" and "pickup_code" not in tracked  # sent, never shown

    forged = path[:-4] + ("aaaa" if not path.endswith("aaaa") else "bbbb")
    assert (await api.get(forged, headers=anonymous)).status_code == 404
    other = await api.get(
        f"/v1/orders/{order.order_id}/tracking-link", headers={"X-API-Key": "test-channel-app"}
    )
    assert other.status_code == 403
