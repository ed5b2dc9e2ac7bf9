"""Names from a fixed vocabulary in request bodies and queries: case folded, and an unknown
one is a 422 naming the closest valid names ("unknown platform 'telgram': did you mean
telegram?")."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from takedown.domain.answers import Action
from takedown.domain.assessment import Verdict
from takedown.domain.names import choose
from takedown.domain.states import ItemState
from takedown.errors import UserError
from takedown.urls.registry import platform_names


def named(label: str, allowed: Callable[[], Iterable[str]]) -> AfterValidator:
    """A name from a fixed vocabulary, case folded; an unknown one is a 422 naming the closest
    valid names ("unknown platform 'telgram': did you mean telegram?")."""

    def check(value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return choose(label, value, allowed())
        except UserError as exc:
            raise PydanticCustomError("unknown_name", "{message}", {"message": str(exc)}) from None

    return AfterValidator(check)


PlatformName = Annotated[str, named("platform", platform_names)]
StateName = Annotated[str, named("item state", lambda: ItemState)]
VerdictName = Annotated[str, named("verdict", lambda: Verdict)]
ActionName = Annotated[str, named("action", lambda: Action)]
