"""The load driver's HTTP client: the channels and store devices a bench plays, on the same cores as the
system it measures. aiohttp (installed with twilio) costs about half of httpx's CPU per request; httpx,
the tests' client, took ~10 ms of CPU per order here (`bench.cpu` prints the driver's own CPU)."""

import json
from typing import Any, Protocol

import aiohttp


class HttpAnswer(Protocol):
    @property
    def status_code(self) -> int: ...

    @property
    def text(self) -> str: ...

    def json(self) -> Any: ...


class HttpDriver(Protocol):
    async def get(self, url: str) -> HttpAnswer: ...

    async def post(self, url: str, *, json: Any = None) -> HttpAnswer: ...


class Answer:
    """An answer read whole, as httpx gives it (status_code, text, json())."""

    def __init__(self, status_code: int, body: bytes) -> None:
        self.status_code = status_code
        self._body = body

    @property
    def text(self) -> str:
        return self._body.decode()

    def json(self) -> Any:
        return json.loads(self._body)


class LeanClient:
    """`get` and `post` against one base address, with fixed headers and at most `connections` open."""

    def __init__(self, base_url: str, headers: dict[str, str], connections: int, timeout: float = 60) -> None:
        self._session = aiohttp.ClientSession(
            base_url=base_url,
            headers=headers,
            connector=aiohttp.TCPConnector(limit=connections),
            timeout=aiohttp.ClientTimeout(total=timeout),
        )

    async def get(self, url: str) -> Answer:
        async with self._session.get(url) as response:
            return Answer(response.status, await response.read())

    async def post(self, url: str, *, json: Any = None) -> Answer:
        async with self._session.post(url, json=json) as response:
            return Answer(response.status, await response.read())

    async def __aenter__(self) -> "LeanClient":
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._session.close()
