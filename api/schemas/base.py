"""What every HTTP answer shares: built from a read model or row, naming only its own fields."""

from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field

STATED_ACTOR = Field(
    default=None, description="who asked, kept as a note: the actor is the API key's identity"
)


class Public(BaseModel):
    """An answer built from a read model or row: fields the HTTP contract does not name are left out."""

    model_config = ConfigDict(extra="ignore")

    @classmethod
    def of(cls, source: BaseModel | Any) -> Self:
        if isinstance(source, BaseModel):
            return cls.model_validate(source.model_dump())
        return cls.model_validate(source, from_attributes=True)
