"""Shared output helpers for CLI commands: JSON lines, and plain text a person reads."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import typer


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
            return value.isoformat().replace("+00:00", "Z")
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    return str(value)


def emit_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=_default) + "\n")
    sys.stdout.flush()


def report_error(label: str, message: str, *, json_out: bool) -> None:
    """One error, as every command reports it: ``label: message`` on stderr and, with
    ``--json``, also ``{"ok": false, "error": …}`` on stdout."""
    if json_out:
        text = message if label == "error" else f"{label}: {message}"
        emit_json({"ok": False, "error": text})
    typer.echo(f"{label}: {message}", err=True)


# Plain text: dates, durations, lists and nested objects as a person reads them.


def when(value: datetime | str | None) -> str:
    """``2026-03-01T14:05:09.123456+00:00`` → ``2026-03-01 14:05:09 UTC``; naive times are UTC."""
    if value is None:
        return "-"
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
    else:
        moment = value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def duration(seconds: float | None) -> str:
    """``3725`` → ``1 h 2 min 5 s``."""
    if seconds is None:
        return "-"
    sign, rest = ("-", -int(seconds)) if seconds < 0 else ("", int(seconds))
    days, rest = divmod(rest, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n} {u}" for n, u in ((days, "d"), (hours, "h"), (minutes, "min")) if n]
    if secs or not parts:
        parts.append(f"{secs} s")
    return sign + " ".join(parts)


def _looks_like_time(text: str) -> bool:
    return len(text) >= 19 and text[4] == "-" and text[7] == "-" and text[10] in "T "


def scalar(key: str, value: Any) -> str:
    """One value in plain text; ``key`` tells seconds (``*_seconds``) from counts."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime) or (isinstance(value, str) and _looks_like_time(value)):
        return when(value)
    if key.endswith("_seconds") and isinstance(value, int | float):
        return duration(value)
    return str(value)


LABELS = {"paused_seconds": "paused for", "remaining_seconds": "time left"}


def label(key: str) -> str:
    """``item_id`` → "item id"; a ``*_seconds`` figure is shown as a duration, so it drops
    the unit from its name."""
    return LABELS.get(key) or key.removesuffix("_seconds").replace("_", " ")


def field_lines(obj: Mapping[str, Any], indent: int = 0) -> list[str]:
    """``key: value`` lines; nested objects and lists of objects as indented blocks."""
    pad = "  " * indent
    lines: list[str] = []
    for key, value in obj.items():
        if isinstance(value, Mapping):
            lines.append(f"{pad}{label(key)}:" + ("" if value else " -"))
            lines.extend(field_lines(value, indent + 1))
        elif isinstance(value, list | tuple) and any(isinstance(v, Mapping) for v in value):
            lines.append(f"{pad}{label(key)}:")
            for n, entry in enumerate(value, start=1):
                if isinstance(entry, Mapping):
                    lines.append(f"{pad}  {n}.")
                    lines.extend(field_lines(entry, indent + 2))
                else:
                    lines.append(f"{pad}  {n}. {scalar(key, entry)}")
        elif isinstance(value, list | tuple | set | frozenset):
            shown = ", ".join(scalar(key, v) for v in value)
            lines.append(f"{pad}{label(key)}: {shown or '-'}")
        else:
            lines.append(f"{pad}{label(key)}: {scalar(key, value)}")
    return lines


def show(obj: Any, json_out: bool) -> None:
    """A command's result: one JSON object, or the fields as plain text."""
    if json_out:
        emit_json(obj)
    elif isinstance(obj, Mapping):
        typer.echo("\n".join(field_lines(obj)))
    else:
        typer.echo(str(obj))
