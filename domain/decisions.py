"""Routing decisions and their trace, and the choice put to a customer."""

from datetime import datetime

from domain.contract import Contract
from domain.policy import ChoiceOption
from domain.values import MissingLine, StoreProfile


class StoreLoad(Contract):
    in_preparation: int = 0  # orders reserved, accepted or picked now
    placed_today: int = 0  # click & collect orders routed to it today (store local day)


class RoutingCandidate(Contract):
    """A store routing may choose: where it is, what it can promise per SKU, how busy it is."""

    store: StoreProfile
    available: dict[str, int]
    load: StoreLoad = StoreLoad()


class CandidateScore(Contract):
    store_id: str
    distance_km: float
    missing: list[MissingLine] = []
    load: float | None = None  # 1.0 = at capacity
    ready_by: datetime | None = None
    ready_today: bool = False
    score: float | None = None  # None when excluded
    excluded: str | None = None  # why this store cannot take the order


class RoutingDecision(Contract):
    """One routing decision and its trace: every candidate, its score, and why the winner won."""

    at: datetime
    reason: str
    from_store_id: str
    chosen: str | None
    why: str
    candidates: list[CandidateScore]

    @property
    def alternatives(self) -> list[CandidateScore]:
        return [c for c in self.candidates if c.score is not None]


class ChoiceRequest(Contract):
    """What the customer is asked, until when, and what happens without an answer."""

    reason: str
    options: list[ChoiceOption]
    stores: list[CandidateScore] = []
    deadline: datetime
    default: ChoiceOption
