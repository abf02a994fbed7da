"""Providers' delivery reports: a report never moves a message back to an earlier status (a replayed
Twilio report carries no timestamp), and a message's fate (delivered, undelivered, bounced...) is final."""

from dataclasses import dataclass


@dataclass(frozen=True)
class DeliveryReport:
    """What a provider says of one message it sent for us."""

    provider_message_id: str
    status: str
    failure: str | None = None


TWILIO_PROGRESS = [
    {"accepted", "scheduled", "queued"},
    {"sending"},
    {"sent"},
    {"delivered", "undelivered", "failed", "canceled"},
    {"read"},
]
SENDGRID_PROGRESS = [
    {"processed"},
    {"deferred"},
    {"delivered", "bounce", "dropped", "blocked"},
    {"open"},
    {"click"},
    {"spamreport", "unsubscribe", "group_unsubscribe", "group_resubscribe"},
]
"""The order in which each provider reports a message's fate, one step per set."""


def later_than(progress: list[set[str]], status: str) -> frozenset[str]:
    """The statuses a report of `status` may not overwrite: the others of its step, and every later one
    (an unknown status overwrites no known one)."""
    step = next((index for index, statuses in enumerate(progress) if status in statuses), 0)
    known = frozenset().union(*progress[step:]) if status in progress[step] else frozenset().union(*progress)
    return known - {status}


PROGRESS = {"twilio": TWILIO_PROGRESS, "sendgrid": SENDGRID_PROGRESS}
