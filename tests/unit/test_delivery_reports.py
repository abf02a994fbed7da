"""A provider's report never moves a message back: which statuses a report may overwrite."""

from domain.delivery_reports import SENDGRID_PROGRESS, TWILIO_PROGRESS, later_than


def test_a_late_sent_report_does_not_overwrite_delivered() -> None:
    assert "delivered" in later_than(TWILIO_PROGRESS, "sent")
    assert "queued" not in later_than(TWILIO_PROGRESS, "sent")


def test_a_fate_is_final_even_against_another_fate_of_the_same_step() -> None:
    assert {"undelivered", "failed"} <= later_than(TWILIO_PROGRESS, "delivered")
    assert "bounce" in later_than(SENDGRID_PROGRESS, "delivered")


def test_an_unknown_status_overwrites_no_known_one() -> None:
    assert later_than(TWILIO_PROGRESS, "mystery") >= {"queued", "sent", "delivered", "read"}
