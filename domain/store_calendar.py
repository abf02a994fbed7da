"""A store's calendar beyond its weekly hours: special days (public holidays, closures for works or
stock counts, late openings, extended hours before Christmas)."""

from datetime import date, time

from pydantic import Field, model_validator

from domain.contract import Contract


class DayHours(Contract):
    opens: time
    closes: time

    @model_validator(mode="after")
    def _opens_before_closing(self) -> "DayHours":
        if self.closes <= self.opens:
            raise ValueError("closes must be after opens")
        return self


class SpecialDay(Contract):
    """One local date whose hours replace the weekly ones: no hours means closed all day."""

    date: date
    hours: list[DayHours] = Field(default_factory=list, max_length=4, description="empty: closed all day")
    note: str | None = Field(default=None, max_length=120, examples=["Christmas Day", "stock count"])

    @property
    def closed(self) -> bool:
        return not self.hours
