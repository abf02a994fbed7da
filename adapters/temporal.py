"""The Temporal client every entry point uses: the pydantic data converter, encrypting payloads when keys
are configured (adapters/codec.py)."""

from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.service import RetryConfig, RPCError, RPCStatusCode

from adapters.codec import customer_key_store, data_converter
from adapters.tracing import temporal_interceptors, tracer_provider
from config.settings import Settings

ANSWER_SOON = RetryConfig(
    initial_interval_millis=100, max_interval_millis=500, max_elapsed_time_millis=1000, max_retries=2
)
"""Retries for a client that answers people: one, so a request bounded by `rpc_timeout` is not stretched
to the SDK's default ten seconds of retries while Temporal is unreachable (and the SDK logs no warning
per call: it does from the second retry on)."""


async def connect(
    settings: Settings,
    engine: AsyncEngine | None = None,
    *,
    lazy: bool = False,
    retry_config: RetryConfig | None = None,
) -> Client:
    """With an engine, payloads naming a customer are encrypted with that customer's key (erasable).
    A lazy client connects on its first call (and again on each call until it reaches the server). With
    tracing on, its calls and the workers built on it carry Temporal's tracing interceptor."""
    keys, active = settings.payload_keys, settings.payload_key_id
    store = customer_key_store(engine, keys, active) if engine is not None else None
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(
            keys, active, store, accept_plaintext=settings.payload_accept_plaintext
        ),
        lazy=lazy,
        retry_config=retry_config,
        runtime=sdk_runtime(settings.sdk_metrics_address),
        interceptors=temporal_interceptors(tracer_provider(settings)),
    )


_RUNTIMES: dict[str, Runtime] = {}  # one per process and address: a second one could not bind the port


def sdk_runtime(metrics_address: str | None) -> Runtime | None:
    """The SDK runtime exporting Temporal's own metrics (workflow and activity task latencies,
    schedule-to-start, failures, sticky cache, ...) in the Prometheus format at `metrics_address`;
    None: the default runtime, without metrics."""
    if not metrics_address:
        return None
    if metrics_address not in _RUNTIMES:
        prometheus = PrometheusConfig(bind_address=metrics_address, durations_as_seconds=True)
        _RUNTIMES[metrics_address] = Runtime(telemetry=TelemetryConfig(metrics=prometheus))
    return _RUNTIMES[metrics_address]


async def register_search_attributes(client: Client) -> list[str]:
    """Register the OMS search attributes the namespace lacks (a server started before they existed, the
    time-skipping server); returns the names added."""
    from temporalio.api.enums.v1 import IndexedValueType
    from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest

    from domain.ids import SEARCH_ATTRIBUTES, search_attribute_type

    types = {
        "Keyword": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        "Bool": IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
    }
    wanted = {key.name: types[search_attribute_type(key)] for key in SEARCH_ATTRIBUTES}
    try:
        known = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=client.namespace)
        )
    except RPCError as error:
        if error.status != RPCStatusCode.UNIMPLEMENTED:  # the time-skipping server cannot list them
            raise
        missing = wanted
    else:
        missing = {
            name: kind
            for name, kind in wanted.items()
            if name not in known.custom_attributes and name not in known.system_attributes
        }
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=client.namespace, search_attributes=missing)
        )
    return sorted(missing)
