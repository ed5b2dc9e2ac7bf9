"""Operations: bounded campaigns (an action day) or the standing ``continuous`` one."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from takedown.errors import NotFound, UserError
from takedown.services.access import authorize
from takedown.services.units import Principal
from takedown.store import audit
from takedown.store.models import Operation

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._\-]{0,199}$")


def create_operation(
    session: Session,
    name: str,
    *,
    actor: str,
    description: str | None = None,
    four_eyes: bool = False,
) -> Operation:
    name = name.strip()
    if not NAME_RE.match(name):
        raise UserError(
            f"operation name {name!r} is not allowed: use letters, digits, space, '.', '_' or '-', "
            "starting with a letter or digit, at most 200 characters"
        )
    if name.isdigit():
        raise UserError(f"operation name {name!r} is all digits; it would read as an id")
    if session.scalar(select(Operation).where(Operation.name == name)) is not None:
        raise UserError(f"an operation named {name!r} already exists")
    op = Operation(name=name, description=description, four_eyes=four_eyes, status="open")
    session.add(op)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="operation.create",
        object_type="operation",
        object_id=op.id,
        change={"name": name, "four_eyes": four_eyes, "description": description},
    )
    return op


def get_operation(
    session: Session, ref: str | int, *, who: Principal | None = None, may: str = "items.read"
) -> Operation:
    """An operation by name, or by numeric id.

    Given ``who``, the caller must be allowed ``may`` before anything is looked up: a caller
    who may not is refused alike whether the operation exists or not, and is never told the
    names of the operations there are. Without ``who`` (an operator at the command line) an
    unknown name is answered with the names there are.
    """
    if who is not None:
        authorize(who, may)
    text = str(ref).strip()
    op = session.scalar(select(Operation).where(Operation.name == text))
    if op is None and text.isdigit():
        op = session.get(Operation, int(text))
    if op is None:
        known = session.scalars(select(Operation.name).order_by(Operation.id).limit(10)).all()
        hint = (
            f"; known: {', '.join(known)}"
            if known
            else "; none exist yet (takedown operation create NAME)"
        )
        raise NotFound(f"unknown operation {text!r}{hint}")
    return op


def list_operations(session: Session) -> list[Operation]:
    return list(session.scalars(select(Operation).order_by(Operation.id)))
