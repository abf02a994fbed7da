"""Dead letters for ops: newest first, a page at a time, filtered by channel, status and reason."""

import uuid

import httpx

from tests.integration.test_channels import post, shop_api, shopify_order  # noqa: F401 - the fixture


async def refuse(api: httpx.AsyncClient, marker: str) -> int:
    """A canonical order that cannot be placed, naming `marker` in its reasons."""
    refused = await api.post("/v1/orders", json={"channel": "webshop", "store_id": marker, "lines": []})
    assert refused.status_code == 422
    return int(refused.json()["dead_letter_id"])


async def test_dead_letters_come_newest_first_a_page_at_a_time(api: httpx.AsyncClient) -> None:
    ids = [await refuse(api, "page") for _ in range(5)]
    first = await api.get("/v1/dead-letters", params={"limit": 2})
    assert first.status_code == 200
    assert [letter["id"] for letter in first.json()] == [ids[4], ids[3]]
    assert first.links["next"]["url"].endswith(f"/v1/dead-letters?limit=2&before={ids[3]}&status=open")

    second = await api.get(first.links["next"]["url"])
    assert [letter["id"] for letter in second.json()] == [ids[2], ids[1]]
    older = await api.get("/v1/dead-letters", params={"before": ids[1], "limit": 500})
    assert ids[0] in [letter["id"] for letter in older.json()]
    assert all(letter["id"] < ids[1] for letter in older.json())


async def test_dead_letters_filter_by_channel_reason_and_status(
    api: httpx.AsyncClient,
    shop_api: httpx.AsyncClient,  # noqa: F811
) -> None:
    marker = f"store-{uuid.uuid4().hex[:8]}"
    mine = await refuse(api, "x" * 70 + marker)  # too long a store id: the reason quotes it
    shopify = (await post(shop_api, shopify_order("Pickup at Nowhere"))).json()["dead_letter_id"]

    by_reason = (await api.get("/v1/dead-letters", params={"reason": marker})).json()
    assert [letter["id"] for letter in by_reason] == [mine]
    by_channel = (await api.get("/v1/dead-letters", params={"channel": "shopify"})).json()
    assert shopify in [letter["id"] for letter in by_channel]
    assert {letter["channel"] for letter in by_channel} == {"shopify"}
    replayed = (await api.get("/v1/dead-letters", params={"status": "replayed"})).json()
    assert all(letter["status"] == "replayed" for letter in replayed)
    assert mine not in [letter["id"] for letter in replayed]


async def test_dead_letter_paging_is_bounded(api: httpx.AsyncClient) -> None:
    for params in ({"limit": 0}, {"limit": 501}, {"before": 0}, {"status": "lost"}, {"reason": "x" * 201}):
        refused = await api.get("/v1/dead-letters", params=params)
        assert refused.status_code == 422, params
        assert refused.json()["detail"][0]["loc"][0] == "query"
