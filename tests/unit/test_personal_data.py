"""Personal data kept out of logs and out of what erasure reaches (issue 19 #5, #6)."""

import logging

import pytest

from adapters.messaging.render import RenderedMessage
from adapters.messaging.senders import LogSender
from domain.personal import ERASED, mask_text, redact, redact_reasons


async def test_the_log_sender_writes_no_email_phone_pickup_code_or_tracking_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = "Bonjour Camille, votre code : 482913.\nSuivi : https://oms.example/v1/track/order-w-1/Zx9_tokEN"
    message = RenderedMessage(channel="email", language="fr", subject="Prête", body=body)
    with caplog.at_level(logging.INFO, logger="oms.notifications"):
        await LogSender("email").send("camille.martin@example.com", message, "order-w-1:ready")
        await LogSender("sms").send("+33612345678", message, "order-w-1:ready")
    logged = caplog.text
    for secret in ("camille.martin@example.com", "+33612345678", "482913", "Zx9_tokEN"):
        assert secret not in logged
    assert "c***@example.com" in logged and "+***78" in logged and "order-w-1:ready" in logged


def test_masking_keeps_dates_amounts_and_order_ids() -> None:
    line = "order-webshop-T-123456 ready 2026-11-23 18:00, 12.50 EUR, code 123456"
    assert mask_text(line) == "order-webshop-T-123456 ready 2026-11-23 18:00, 12.50 EUR, code ******"


def test_redaction_erases_who_the_customer_is_and_keeps_what_failed() -> None:
    payload = {
        "customer": {"name": "Camille", "email": "c@x.fr"},
        "email": "c@x.fr",
        "lines": [{"sku": "NO-SUCH-SKU", "quantity": 1}],
        "shipping_address": {"address1": "1 rue X"},
    }
    assert redact(payload) == {
        "customer": ERASED,
        "email": ERASED,
        "lines": [{"sku": "NO-SUCH-SKU", "quantity": 1}],
        "shipping_address": ERASED,
    }
    reasons = [{"loc": ["body", "customer", "phone"], "msg": "bad", "input": "+33 6 12"}]
    assert redact_reasons(reasons) == [{"loc": ["body", "customer", "phone"], "msg": "bad", "input": ERASED}]
