"""When a refused event is tried again or given up, and the signature a receiver checks."""

import time
from datetime import UTC, datetime, timedelta

from domain.event_delivery import DeliveryPolicy, signature, verify

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_waits_double_from_a_second_up_to_ten_minutes() -> None:
    policy = DeliveryPolicy()
    waits = [policy.next_attempt(attempts, NOW) - NOW for attempts in range(1, 13)]
    assert waits[:4] == [timedelta(seconds=s) for s in (1, 2, 4, 8)]
    assert waits[-1] == timedelta(minutes=10) and max(waits) == timedelta(minutes=10)


def test_an_event_is_given_up_a_day_after_its_first_failure_not_before() -> None:
    policy = DeliveryPolicy()
    assert not policy.gives_up(NOW, NOW + timedelta(hours=23, minutes=59))
    assert policy.gives_up(NOW, NOW + timedelta(hours=24))


def test_a_day_of_retries_is_about_a_hundred_and_fifty_tries() -> None:
    policy, at, tries = DeliveryPolicy(), NOW, 1
    while not policy.gives_up(NOW, at):
        at, tries = policy.next_attempt(tries, at), tries + 1
    assert 140 <= tries <= 160


def test_the_signature_covers_the_timestamp_and_the_exact_body() -> None:
    now = int(time.time())
    header = signature("secret-of-the-shop", now, b'{"a":1}')
    assert header.startswith(f"t={now},v1=")
    assert verify("secret-of-the-shop", header, b'{"a":1}', now)
    assert not verify("secret-of-the-shop", header, b'{"a": 1}', now)
    assert not verify("another-secret", header, b'{"a":1}', now)
    assert not verify("secret-of-the-shop", header, b'{"a":1}', now + 301)  # too old: a replay
    assert not verify("secret-of-the-shop", header.replace(f"t={now}", f"t={now + 1}"), b'{"a":1}', now)
    assert not verify("secret-of-the-shop", "v1=abc", b'{"a":1}', now)
