"""One settings object: the order policy nested in it, declared once, read under its flat variable names."""

import os
from datetime import time, timedelta
from pathlib import Path

import pytest

from config.settings import ConfigurationError, Settings, load_settings
from domain.policy import OrderPolicy, ShortPickPolicy


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No OMS_ variable and no .env file of the machine running the tests."""
    for name in [name for name in os.environ if name.upper().startswith("OMS_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_the_policy_defaults_are_the_order_policy_defaults() -> None:
    assert Settings().policy == OrderPolicy()


def test_policy_fields_are_read_under_their_flat_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_HOLD_PERIOD", "P5D")
    monkeypatch.setenv("OMS_SHORT_PICK", "missing_lines")
    monkeypatch.setenv("OMS_ROUTING", '{"max_distance_km": 20}')
    monkeypatch.setenv("OMS_QUIET_HOURS_END", "07:30")
    policy = Settings().policy
    assert policy.hold_period == timedelta(days=5)
    assert policy.short_pick is ShortPickPolicy.MISSING_LINES
    assert (policy.routing.max_distance_km, policy.routing.alternatives) == (20, 3)
    assert policy.quiet_hours_end == time(7, 30)
    assert policy.accept_within == OrderPolicy().accept_within


def test_an_empty_value_turns_an_optional_policy_setting_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_QUIET_HOURS_START", "")
    monkeypatch.setenv("OMS_EXPIRY_WARNING_BEFORE", "")
    policy = Settings().policy
    assert policy.quiet_hours_start is None and policy.expiry_warning_before is None


def test_the_environment_wins_over_the_env_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("OMS_HOLD_PERIOD=P4D\nOMS_CHOICE_WINDOW=PT6H\nOMS_API_PORT=9000\n")
    monkeypatch.setenv("OMS_HOLD_PERIOD", "P2D")
    settings = Settings()
    assert settings.policy.hold_period == timedelta(days=2)
    assert settings.policy.choice_window == timedelta(hours=6)
    assert settings.api_port == 9000


def test_a_policy_given_in_code_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_HOLD_PERIOD", "P5D")
    policy = OrderPolicy(hold_period=timedelta(hours=1))
    assert Settings(policy=policy).policy.hold_period == timedelta(hours=1)


def test_no_setting_shares_a_name_with_a_policy_field() -> None:
    """Each OMS_ variable names one thing: the policy's flat names never meet another setting's."""
    assert not set(Settings.model_fields) & set(OrderPolicy.model_fields)


def test_the_return_window_is_read_per_channel(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().returns.window_for("webshop") == timedelta(days=30)
    monkeypatch.setenv("OMS_RETURNS", '{"window": "P14D", "per_channel": {"app": "P7D"}}')
    returns = Settings().returns
    assert (returns.window_for("webshop"), returns.window_for("app")) == (
        timedelta(days=14),
        timedelta(days=7),
    )


def test_a_worker_is_unversioned_unless_told_its_deployment_and_build() -> None:
    from worker.main import deployment_version

    assert deployment_version(Settings()) is None


def test_the_deployment_and_build_id_make_the_worker_versioned(monkeypatch: pytest.MonkeyPatch) -> None:
    from worker.main import deployment_version

    monkeypatch.setenv("OMS_DEPLOYMENT_NAME", "oms")
    monkeypatch.setenv("OMS_BUILD_ID", "2026.11.23-1")
    version = deployment_version(Settings())
    assert version is not None
    assert (version.deployment_name, version.build_id) == ("oms", "2026.11.23-1")


@pytest.mark.parametrize("given", [{"OMS_DEPLOYMENT_NAME": "oms"}, {"OMS_BUILD_ID": "v2"}])
def test_a_deployment_without_a_build_id_or_the_reverse_is_refused(
    monkeypatch: pytest.MonkeyPatch, given: dict[str, str]
) -> None:
    from config.settings import ConfigurationError, load_settings

    for name, value in given.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as refused:
        load_settings()
    assert [variable for variable, _ in refused.value.problems] == ["OMS_BUILD_ID"]
    assert "OMS_DEPLOYMENT_NAME and OMS_BUILD_ID together" in str(refused.value)


def test_empty_deployment_variables_mean_unversioned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_DEPLOYMENT_NAME", "")
    monkeypatch.setenv("OMS_BUILD_ID", "")
    assert (Settings().deployment_name, Settings().build_id) == (None, None)


def test_a_deployment_name_with_a_dot_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Temporal would ignore the worker's polls without a word: refused at start-up instead."""
    from config.settings import ConfigurationError, load_settings

    monkeypatch.setenv("OMS_DEPLOYMENT_NAME", "oms.eu")
    monkeypatch.setenv("OMS_BUILD_ID", "1.2.3")  # dots are fine in a build id
    with pytest.raises(ConfigurationError) as refused:
        load_settings()
    assert [variable for variable, _ in refused.value.problems] == ["OMS_DEPLOYMENT_NAME"]
    assert "no dot" in str(refused.value)


def test_shopify_admin_access_is_checked_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_SHOPIFY_SHOP_DOMAIN", "jsmith.myshopify.com")
    with pytest.raises(ConfigurationError) as half:
        load_settings()
    assert half.value.problems == [
        ("OMS_SHOPIFY_ADMIN_TOKEN", "set both the Shopify shop domain and token, or neither")
    ]
    monkeypatch.setenv("OMS_SHOPIFY_ADMIN_TOKEN", "shpat_secret")
    monkeypatch.setenv("OMS_SHOPIFY_API_VERSION", "2025-11")
    monkeypatch.setenv("OMS_SHOPIFY_SHOP_DOMAIN", "https://jsmith.com")
    with pytest.raises(ConfigurationError) as bad:
        load_settings()
    assert [variable for variable, _ in bad.value.problems] == [
        "OMS_SHOPIFY_SHOP_DOMAIN",
        "OMS_SHOPIFY_API_VERSION",
    ]
    monkeypatch.setenv("OMS_SHOPIFY_API_VERSION", "2025-10")
    monkeypatch.setenv("OMS_SHOPIFY_SHOP_DOMAIN", "jsmith.myshopify.com")
    settings = load_settings()
    assert (settings.shopify_shop_domain, settings.shopify_api_version) == ("jsmith.myshopify.com", "2025-10")


def test_both_providers_clients_wait_at_most_ten_seconds_for_a_send() -> None:
    """The SDKs' HTTP clients wait for ever by default: a hung send would outlive its activity and go out
    after the retry (a message twice)."""
    from worker.main import senders_from

    settings = load_settings(
        twilio_account_sid="AC" + "0" * 32,
        twilio_auth_token="token",
        twilio_from_number="+33600000000",
        sendgrid_api_key="SG.key",
        sendgrid_from_email="shop@example.com",
    )
    senders = senders_from(settings)
    assert senders["sms"]._client.http_client.timeout == 10.0  # type: ignore[attr-defined]
    assert senders["email"]._client.client.timeout == 10.0  # type: ignore[attr-defined]
