"""Optional OpenTelemetry traces (`OMS_TRACING=otlp`): Temporal's tracing interceptor on the client and
worker, FastAPI's instrumentation on the API, spans sent over OTLP/HTTP. The packages are the `tracing`
extra, imported only when tracing is on: the product runs without them."""

import os
from typing import TYPE_CHECKING, Any

from config.settings import ConfigurationError, Settings

if TYPE_CHECKING:
    from fastapi import FastAPI
    from opentelemetry.sdk.trace import TracerProvider

EXTRA_MISSING = "otlp needs the tracing extra: pip install 'click-and-collect-oms[tracing]' ({missing})"
UNTRACED_PATHS = "/metrics,/healthz,/readyz"
"""Scrapes and probes: many, regular, and of no interest in a trace."""

_PROVIDERS: list["TracerProvider"] = []  # one per process: the global provider can be set only once


def require_extra(settings: Settings) -> None:
    """With tracing on, the extra's packages import; else a ConfigurationError naming OMS_TRACING."""
    if settings.tracing == "off":
        return
    try:
        import opentelemetry.exporter.otlp.proto.http.trace_exporter  # noqa: F401
        import opentelemetry.instrumentation.fastapi  # noqa: F401
        import opentelemetry.sdk.trace  # noqa: F401
        import temporalio.contrib.opentelemetry  # noqa: F401
    except ImportError as missing:
        raise ConfigurationError([("OMS_TRACING", EXTRA_MISSING.format(missing=missing.name))]) from None


def tracer_provider(settings: Settings) -> "TracerProvider | None":
    """The process's tracer provider exporting over OTLP (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME
    and the other standard OTEL_ variables); None with tracing off."""
    require_extra(settings)
    if settings.tracing == "off":
        return None
    if not _PROVIDERS:
        from opentelemetry import trace
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        named = os.environ.get("OTEL_SERVICE_NAME")  # the SDK reads it; "oms" rather than unknown_service
        provider = TracerProvider(resource=Resource.create({} if named else {"service.name": "oms"}))
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(provider)
        _PROVIDERS.append(provider)
    return _PROVIDERS[0]


def temporal_interceptors(provider: "TracerProvider | None") -> list[Any]:
    """Temporal's tracing interceptor (client calls, workflows, activities) on `provider`; none without."""
    if provider is None:
        return []
    from temporalio.contrib.opentelemetry import TracingInterceptor

    return [TracingInterceptor(provider.get_tracer("oms.temporal"))]


def instrument_api(app: "FastAPI", provider: "TracerProvider | None") -> None:
    """A server span per HTTP request, the parent of the Temporal calls the route makes."""
    if provider is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls=UNTRACED_PATHS)
