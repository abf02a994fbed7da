"""Dead letters grouped by cause (the field and the reason, values left out), ranked by what they cost:
the order value at stake, then how many letters."""

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Cause:
    field: str  # "line_items.*.sku": indices left out
    reason: str  # the message with quoted values and numbers left out


def cause_of(reason: Any) -> Cause:
    """What went wrong, the same for every letter it happened to: "unknown sku 'X'" and "unknown sku 'Y'"
    at lines 0 and 3 are one cause."""
    if not isinstance(reason, dict):
        return Cause("", _NUMBER.sub("N", _QUOTED.sub("'…'", str(reason))))
    loc = [part for part in reason.get("loc") or [] if part != "body"]
    field = ".".join("*" if isinstance(part, int) else str(part) for part in loc)
    message = str(reason.get("msg", ""))
    return Cause(field, _NUMBER.sub("N", _QUOTED.sub("'…'", message)))


def group_id(channel: str, cause: Cause) -> str:
    """A short stable id for a channel's cause, to list, alert on and replay a group by."""
    return hashlib.sha256(f"{channel}\x00{cause.field}\x00{cause.reason}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class LetterFacts:
    id: int
    channel: str
    reasons: list[Any]
    received_at: datetime
    value: Decimal | None  # the order's value as the channel states it, when it can be read
    currency: str | None


class DeadLetterGroup(BaseModel):
    id: str
    channel: str
    field: str
    reason: str
    count: int
    first_seen: datetime
    last_seen: datetime
    value_at_stake: dict[str, Decimal]  # by currency
    letters: list[int]

    @property
    def rank(self) -> tuple[Decimal, int]:
        # Amounts in several currencies are added as they are: a ranking, not an accounting figure.
        return sum(self.value_at_stake.values(), Decimal(0)), self.count


def groups(letters: Iterable[LetterFacts]) -> list[DeadLetterGroup]:
    """One group per channel and cause (a letter with two causes is in both), highest value first."""
    found: dict[str, DeadLetterGroup] = {}
    for letter in letters:
        for cause in dict.fromkeys(cause_of(reason) for reason in letter.reasons):
            key = group_id(letter.channel, cause)
            group = found.setdefault(
                key,
                DeadLetterGroup(
                    id=key,
                    channel=letter.channel,
                    field=cause.field,
                    reason=cause.reason,
                    count=0,
                    first_seen=letter.received_at,
                    last_seen=letter.received_at,
                    value_at_stake={},
                    letters=[],
                ),
            )
            group.count += 1
            group.letters.append(letter.id)
            group.first_seen = min(group.first_seen, letter.received_at)
            group.last_seen = max(group.last_seen, letter.received_at)
            if letter.value is not None and letter.currency:
                stake = group.value_at_stake.get(letter.currency, Decimal(0))
                group.value_at_stake[letter.currency] = stake + letter.value
    return sorted(found.values(), key=lambda group: group.rank, reverse=True)
