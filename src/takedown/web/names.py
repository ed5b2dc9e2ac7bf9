"""The values requests carry, declared once for every route module of /api/v1.

- **Ids, cursors and page sizes** are whole numbers written in ASCII digits (``³``, ``٣`` and
  ``１`` are not numbers here, nor are ``3_0``, ``+3``, `` 3`` or ``3.0``), within int64: an id
  is 1 … 2**63−1, a cursor 0 … 2**63−1, a page size 1 … the route's limit. Anything else is a
  422 naming the parameter; a well-formed id that names nothing is the route's 404.
- **Text**: a single-line value (a name, a reference, a code, a target) has no control
  character at all; free text may hold tab, line feed and carriage return, and no other
  control character. Each field declares its maximum length (the column's size where the
  column has one, ``TEXT_MAX`` for free text).
- **Names from a fixed vocabulary** (states, verdicts, actions, platforms …) are enums in the
  OpenAPI document and are taken exactly as spelled: another spelling, a different case
  included, is a 422 naming the closest valid names ("unknown platform 'telgram': did you
  mean telegram?"). People's spellings are folded by the CLI, never here.
- **EU member states** are two-letter codes, case folded (``de`` is ``DE``); see
  ``takedown.domain.countries``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Annotated

from annotated_types import Ge, Le, Len
from pydantic import AfterValidator, BeforeValidator, StringConstraints, WithJsonSchema
from pydantic.types import Strict
from pydantic_core import PydanticCustomError

from takedown.domain.answers import Action
from takedown.domain.assessment import Verdict
from takedown.domain.countries import eu_member_state
from takedown.domain.deadlines import PauseReason
from takedown.domain.names import require
from takedown.domain.states import ItemState
from takedown.domain.statuses import DeliveryStatus, OrderFilter, ReferralFilter
from takedown.errors import UserError
from takedown.services.operations import NAME_RE
from takedown.urls.registry import platform_names
from takedown.urls.rules import KINDS

INT64_MAX = 2**63 - 1
TEXT_MAX = 20_000  # free text (reasons, notes, questions, replies): stored as TEXT
NAME_MAX = 32  # a name from a fixed vocabulary: its columns are String(32)

_WHOLE_NUMBER = re.compile(r"-?[0-9]+")  # [0-9] is ASCII only, unlike \d
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # C0, DEL and C1
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # tab, LF, CR pass


def _whole_number(value: object) -> object:
    """A string of ASCII digits (optionally negative) as an int; anything else passes on to
    the strict int check (which refuses booleans and floats) and the bounds."""
    if isinstance(value, str):
        if not _WHOLE_NUMBER.fullmatch(value):
            raise PydanticCustomError(
                "ascii_integer",
                "must be a whole number written in the ASCII digits 0-9, not {value}",
                {"value": repr(value)[:40]},
            )
        if len(value) > 20:  # past int64 either way; spares int() a huge string
            return INT64_MAX + 1 if value[0] != "-" else -INT64_MAX - 2
        return int(value)
    return value


Id = Annotated[int, Strict(), Ge(1), Le(INT64_MAX), BeforeValidator(_whole_number)]
"""An id, in a path or a body: 1 … 2**63−1 in ASCII digits."""
Cursor = Annotated[int, Strict(), Ge(0), Le(INT64_MAX), BeforeValidator(_whole_number)]
"""A paging cursor or offset: 0 … 2**63−1 in ASCII digits."""
PageSize = Annotated[int, Strict(), Ge(1), Le(500), BeforeValidator(_whole_number)]
"""A page size: 1 … 500 in ASCII digits."""
ItemPageSize = Annotated[int, Strict(), Ge(1), Le(1000), BeforeValidator(_whole_number)]
"""A page size of an operation's items (small rows): 1 … 1000 in ASCII digits."""
# (The bounds sit before the validator: there pydantic writes them into the OpenAPI document
# as minimum and maximum; a Query(le=…) around the alias would check them but not show them.)


def _single_line(value: str) -> str:
    return _refuse(_CONTROL, value)


def _free_text(value: str) -> str:
    return _refuse(_CONTROL_IN_TEXT, value)


def _refuse(pattern: re.Pattern[str], value: str) -> str:
    found = pattern.search(value)
    if found is not None:
        raise PydanticCustomError(
            "control_character",
            "must not contain the control character {char} (at position {position})",
            {"char": f"U+{ord(found.group()):04X}", "position": found.start() + 1},
        )
    return value


SINGLE_LINE = AfterValidator(_single_line)
FREE_TEXT = AfterValidator(_free_text)
Line = Annotated[str, SINGLE_LINE]
"""Single-line text without any control character; give the field its ``Field(max_length=…)``
(inside a list, declare ``Annotated[str, StringConstraints(max_length=…), SINGLE_LINE]``)."""
Text = Annotated[str, StringConstraints(max_length=TEXT_MAX), FREE_TEXT]
"""Free text up to TEXT_MAX characters: tab, LF and CR, and no other control character."""

_Ground = Annotated[str, StringConstraints(max_length=32), SINGLE_LINE]
LegalGrounds = (
    Annotated[list[_Ground], Len(max_length=20)]
    | Annotated[str, StringConstraints(max_length=200), SINGLE_LINE]
)
"""Art. 2(7) letters as a list (``["a", "c"]``) or one string (``"a,c"``)."""

_LabelText = Annotated[str, StringConstraints(max_length=200), SINGLE_LINE]
Labels = dict[
    Annotated[str, StringConstraints(max_length=NAME_MAX), SINGLE_LINE],
    _LabelText | Annotated[list[_LabelText], Len(max_length=50)],
]
"""Assessment labels: ``group`` and ``tier`` (text), ``tags`` (a list of text)."""


def _operation_ref(value: str) -> str:
    """An operation's name or its id, as ``services.operations.get_operation`` reads it: a
    reference of digits is an id; anything else must be spelled as names are created."""
    text = value.strip()
    if _WHOLE_NUMBER.fullmatch(text):
        if text.startswith("-") or len(text) > 19 or not 1 <= int(text) <= INT64_MAX:
            raise PydanticCustomError(
                "operation_id",
                "an operation id is a whole number from 1 to {high}",
                {"high": INT64_MAX},
            )
    elif not NAME_RE.fullmatch(text):
        raise PydanticCustomError(
            "operation_name",
            "must be an operation's name (letters, digits, space, '.', '_' or '-', at most "
            "200 characters) or its id",
        )
    return value


OperationRef = Annotated[
    str,
    StringConstraints(max_length=200),
    SINGLE_LINE,
    AfterValidator(_operation_ref),
]
"""An operation in a path: its name or its numeric id."""


def exactly(label: str, allowed: Callable[[], Iterable[str]]) -> BeforeValidator:
    """A name from a fixed vocabulary, exactly as spelled: any other spelling (another case
    included) is a 422 naming the closest valid names ("unknown platform 'telgram': did you
    mean telegram?"). A value that is no string is left to the type's own check."""

    def check(value: object) -> object:
        if not isinstance(value, str):
            return value
        try:
            return require(label, value, allowed())
        except UserError as exc:
            raise PydanticCustomError("unknown_name", "{message}", {"message": str(exc)}) from None

    return BeforeValidator(check)


def one_of(title: str, allowed: Iterable[str]) -> WithJsonSchema:
    """The OpenAPI schema of a string from a vocabulary that is no Python enum (platforms):
    an enum of its names, as they are when the app starts."""
    return WithJsonSchema({"type": "string", "enum": list(allowed), "title": title})


def named(label: str, allowed: Callable[[], Iterable[str]]) -> AfterValidator:
    """``exactly`` after the string checks of ``Name`` (kept for routes that declare a
    vocabulary as text; prefer an enum with ``exactly``, which the schema lists)."""

    def check(value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return require(label, value, allowed())
        except UserError as exc:
            raise PydanticCustomError("unknown_name", "{message}", {"message": str(exc)}) from None

    return AfterValidator(check)


Name = Annotated[str, StringConstraints(max_length=NAME_MAX), SINGLE_LINE]
"""A name from a vocabulary, checked for length and characters before it is looked up."""
PlatformName = Annotated[
    str, exactly("platform", platform_names), one_of("Platform", platform_names())
]
"""A platform, as ``takedown url parse`` names it. The list grows: clients tolerate new ones."""
ContentKindName = Annotated[str, one_of("ContentKind", KINDS)]
"""What a URL points at (a post, an account …): ``urls.rules.KINDS``."""
StateName = Annotated[ItemState, exactly("item state", lambda: ItemState)]
VerdictName = Annotated[Verdict, exactly("verdict", lambda: Verdict)]
ActionName = Annotated[Action, exactly("action", lambda: Action)]
PauseReasonName = Annotated[PauseReason, exactly("pause reason", lambda: PauseReason)]
DeliveryStatusName = Annotated[DeliveryStatus, exactly("delivery status", lambda: DeliveryStatus)]
ReferralStatus = Annotated[ReferralFilter, exactly("referral status", lambda: ReferralFilter)]
"""A filter of the platform's pull list of referrals: a status, or every one (``all``)."""
OrderStatus = Annotated[OrderFilter, exactly("order status", lambda: OrderFilter)]
"""A filter of the platform's pull list of removal orders: a status, or every one (``all``)."""


def _member_state(value: str) -> str:
    try:
        return eu_member_state(value)
    except ValueError as exc:
        raise PydanticCustomError("member_state", "{message}", {"message": str(exc)}) from None


MemberState = Annotated[
    str,
    StringConstraints(max_length=2),
    SINGLE_LINE,
    AfterValidator(_member_state),
]
"""An EU member state code, case folded (``de`` → ``DE``; Greece is ``EL``, ``GR`` read as it)."""
