"""Where an order is prepared: the routing policy, as pure functions with a readable trace.

Score in points, lowest wins: distance from the customer's chosen store (points per km), plus the
store's load against its capacity (points at capacity × load), plus a penalty when it cannot be ready
before it closes today. A store is excluded, with the reason recorded, when it is not open for routing,
is a warehouse, was already tried, is too far, cannot serve the whole basket or is at capacity.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.deadlines import ready_by
from domain.decisions import CandidateScore, RoutingCandidate, RoutingDecision, StoreLoad
from domain.geo import distance_km
from domain.policy import RoutingPolicy
from domain.stock import shortages
from domain.values import OrderLine, RoutingState, StoreKind, StoreProfile


def load_ratio(store: StoreProfile, load: StoreLoad, promise: timedelta) -> float | None:
    """How full the store is, 1.0 = at capacity: orders in preparation against what it can prepare within
    the promise, or orders today against its daily capacity, whichever is fuller. None: no capacity set."""
    ratios = []
    if store.orders_per_hour:
        hours = max(promise.total_seconds() / 3600, 1.0)
        ratios.append(load.in_preparation / (store.orders_per_hour * hours))
    if store.orders_per_day:
        ratios.append(load.placed_today / store.orders_per_day)
    return round(max(ratios), 3) if ratios else None


def ready_today(store: StoreProfile, now: datetime, due: datetime) -> bool:
    """Whether an order started now is ready before the store closes today (its local day)."""
    tz = ZoneInfo(store.timezone)
    return due.astimezone(tz).date() == now.astimezone(tz).date()


def score_candidate(
    basket: list[OrderLine],
    origin: StoreProfile,
    candidate: RoutingCandidate,
    *,
    now: datetime,
    promise: timedelta,
    policy: RoutingPolicy,
    radius_km: float,
    exclude: frozenset[str],
) -> CandidateScore:
    """One store's score, or the reason it cannot take the order."""
    store = candidate.store
    distance = round(distance_km(origin.latitude, origin.longitude, store.latitude, store.longitude), 2)
    missing = shortages(basket, candidate.available)
    load = load_ratio(store, candidate.load, promise)
    due = ready_by(now, promise, store.opening_hours, store.timezone, store.special_days)
    today = ready_today(store, now, due)
    entry = CandidateScore(
        store_id=store.id, distance_km=distance, missing=missing, load=load, ready_by=due, ready_today=today
    )
    excluded = _exclusion(store, distance, missing, load, radius_km=radius_km, exclude=exclude)
    if excluded:
        entry.excluded = excluded
        return entry
    points = distance * policy.points_per_km + (load or 0.0) * policy.points_at_capacity
    if not today:
        points += policy.points_if_not_ready_today
    entry.score = round(points, 2)
    return entry


def _exclusion(
    store: StoreProfile,
    distance: float,
    missing: list,  # type: ignore[type-arg]
    load: float | None,
    *,
    radius_km: float,
    exclude: frozenset[str],
) -> str | None:
    if store.id in exclude:
        return "already tried for this order"
    if store.kind is not StoreKind.STORE:
        return "not a pickup location"
    if store.routing is not RoutingState.OPEN:
        return f"store is {store.routing.value}"
    if distance > radius_km:
        return f"{distance:.1f} km away, beyond {radius_km:.0f} km"
    if missing:
        return "cannot serve " + ", ".join(f"{m.sku} ({m.available} of {m.requested})" for m in missing)
    if load is not None and load >= 1.0:
        return f"at capacity ({load:.0%})"
    return None


def choose_store(
    basket: list[OrderLine],
    origin: StoreProfile,
    candidates: list[RoutingCandidate],
    *,
    now: datetime,
    promise: timedelta,
    policy: RoutingPolicy,
    reason: str,
    exclude: frozenset[str] = frozenset(),
    radius_km: float | None = None,
) -> RoutingDecision:
    """Score every candidate and choose the lowest score; ties go to the nearer store, then by id.

    `origin` is the store the customer chose: distances are measured from it. The decision keeps every
    candidate with its score or the reason it was excluded."""
    radius = policy.max_distance_km if radius_km is None else radius_km
    scored = [
        score_candidate(
            basket, origin, c, now=now, promise=promise, policy=policy, radius_km=radius, exclude=exclude
        )
        for c in candidates
    ]
    scored.sort(key=_rank)
    eligible = [c for c in scored if c.score is not None]
    own = next((c for c in eligible if c.store_id == origin.id), None)
    if own:  # the customer's own choice wins whenever it can take the order
        eligible.remove(own)
        eligible.insert(0, own)
    winner = eligible[0] if eligible else None
    why = (
        f"{origin.id}: the customer's chosen store can take the whole order"
        if own
        else _why(winner, eligible[1] if len(eligible) > 1 else None, len(scored))
    )
    return RoutingDecision(
        at=now,
        reason=reason,
        from_store_id=origin.id,
        chosen=winner.store_id if winner else None,
        why=why,
        candidates=scored,
    )


def _rank(entry: CandidateScore) -> tuple[bool, float, float, str]:
    return (entry.score is None, entry.score or 0.0, entry.distance_km, entry.store_id)


def _why(winner: CandidateScore | None, runner_up: CandidateScore | None, considered: int) -> str:
    if winner is None:
        return f"none of {considered} stores can take the whole order"
    parts = [f"{winner.distance_km:.1f} km"]
    if winner.load is not None:
        parts.append(f"load {winner.load:.0%}")
    parts.append("ready today" if winner.ready_today else "ready after closing")
    text = f"{winner.store_id}: lowest score {winner.score} ({', '.join(parts)})"
    if runner_up:
        text += f"; next {runner_up.store_id} at {runner_up.score}"
    return text


def why_chosen(decision: RoutingDecision, store_id: str) -> str:
    """Why the order went to `store_id`: the decision's own reason for its winner; for a runner-up taken
    because better stores could not reserve after all, its score and the stores it came after."""
    if store_id == decision.chosen:
        return decision.why
    ranked = decision.alternatives
    entry = next((c for c in ranked if c.store_id == store_id), None)
    if entry is None:
        return f"{store_id}: not among the scored stores"
    before = [c.store_id for c in ranked[: ranked.index(entry)]]
    return f"{store_id}: score {entry.score}, next best once {', '.join(before)} could not reserve"


def offers(decision: RoutingDecision, limit: int) -> list[CandidateScore]:
    """The stores a customer may be offered: those that can take the whole order, best first."""
    return decision.alternatives[:limit]


def trace_lines(decision: RoutingDecision) -> list[str]:
    """The decision as short lines for the timeline and the Temporal UI."""
    lines = [f"routing ({decision.reason}) from {decision.from_store_id}: {decision.why}"]
    for c in decision.candidates:
        verdict = f"score {c.score}" if c.score is not None else f"excluded: {c.excluded}"
        lines.append(f"  {c.store_id}: {c.distance_km:.1f} km, {verdict}")
    return lines
