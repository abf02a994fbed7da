"""Tracing is off by default, and asked for without its extra it is one configuration error."""

import sys

import pytest
from fastapi import FastAPI

from adapters.tracing import instrument_api, require_extra, temporal_interceptors, tracer_provider
from config.settings import ConfigurationError, Settings


def test_tracing_is_off_by_default_and_adds_nothing() -> None:
    settings = Settings()
    assert settings.tracing == "off"
    assert tracer_provider(settings) is None
    assert temporal_interceptors(None) == []
    app = FastAPI()
    instrument_api(app, None)
    assert not getattr(app, "_is_instrumented_by_opentelemetry", False)


def test_otlp_tracing_is_read_from_oms_tracing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_TRACING", "otlp")
    assert Settings().tracing == "otlp"


@pytest.mark.parametrize("module", ["opentelemetry.sdk.trace", "opentelemetry.instrumentation.fastapi"])
def test_tracing_asked_for_without_the_extra_is_one_configuration_error(
    monkeypatch: pytest.MonkeyPatch, module: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # as if the extra were not installed
    with pytest.raises(ConfigurationError) as refused:
        require_extra(Settings(tracing="otlp"))
    [line] = refused.value.lines()
    assert line.startswith("configuration error: OMS_TRACING: otlp needs the tracing extra")
    assert module in line
    require_extra(Settings())  # off: the extra is not needed


def test_the_temporal_interceptor_traces_with_the_given_provider() -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from temporalio.contrib.opentelemetry import TracingInterceptor

    [interceptor] = temporal_interceptors(TracerProvider())
    assert isinstance(interceptor, TracingInterceptor)
