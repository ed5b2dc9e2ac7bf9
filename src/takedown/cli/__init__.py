"""The ``takedown`` command line: a thin Typer app over the service functions.

Each module in this package owns the commands of one domain noun and exposes
``register(app)``; adding commands means adding one module (and running ``make docs``).
The modules are imported lazily (``_lazy``): `takedown --help` imports none of them, and a
command imports only its own, so numpy, Pillow and PyAV load only for the media commands.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, NoReturn

import typer

from takedown.cli._lazy import LazyGroup
from takedown.cli._output import report_error
from takedown.errors import Forbidden, UserError

if TYPE_CHECKING:
    import pydantic

app = typer.Typer(
    name="takedown",
    cls=LazyGroup,
    help="Internet referral work: reports in, verified removals out.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """Nothing to do before a command: the commands are in ``LazyGroup``."""


def main() -> None:
    """Entry point. A refusal is not a bug: each kind of error is reported in one way here.

    - a permission refusal (``Forbidden``): ``forbidden: …`` on stderr, exit status 3;
    - a refused request (``UserError``, ``NotFound``, invalid values, bad options):
      ``error: …``, exit status 2;
    - anything else is a bug: ``internal error: …``, exit status 1, and the traceback only
      with ``TAKEDOWN_DEBUG=1``.

    With ``--json`` the error is also one object ``{"ok": false, "error": "…"}`` on stdout.
    """
    json_out = wants_json(sys.argv[1:])
    try:
        code = _run()
    except (typer.Exit, SystemExit) as exc:
        code = exc.exit_code if isinstance(exc, typer.Exit) else exc.code
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except typer.TyperException as exc:  # the parser's: a bad option, a missing argument
        _usage_error(exc, json_out)
    except Exception as exc:
        _failed(exc, json_out)
    if isinstance(code, int) and code:
        sys.exit(code)  # typer.Exit(n) comes back as a return value here


def _run() -> object:
    """The command, then every database it opened closed (so that in-process callers, the
    tests among them, keep no connections open after a command)."""
    try:
        return app(standalone_mode=False)
    finally:
        # Only a command that opened a database imported the module that keeps them.
        context = sys.modules.get("takedown.cli._context")
        if context is not None:
            context.close_databases()


def wants_json(args: list[str]) -> bool:
    """Whether the command line asks for ``--json`` (before a ``--`` that ends the options)."""
    for arg in args:
        if arg == "--":
            return False
        if arg == "--json":
            return True
    return False


def _usage_error(exc: typer.TyperException, json_out: bool) -> NoReturn:
    """A bad option, a missing argument, an unknown command: the parser's own message."""
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError" and not json_out:
        typer.echo(exc.format_message(), err=True)  # `takedown hold`: its help, as asked
        sys.exit(2)
    report_error("error", exc.format_message(), json_out=json_out)
    if ctx is not None and not json_out:
        typer.echo(f"{ctx.get_usage()}\nTry '{ctx.command_path} --help' for help.", err=True)
    sys.exit(2)


def _failed(exc: Exception, json_out: bool) -> NoReturn:
    if isinstance(exc, Forbidden):
        report_error("forbidden", str(exc), json_out=json_out)
        sys.exit(3)
    if isinstance(exc, UserError):
        report_error("error", str(exc), json_out=json_out)
        sys.exit(2)
    # Only an imported pydantic raises a ValidationError: no need to import it to ask.
    invalid = getattr(sys.modules.get("pydantic"), "ValidationError", None)
    if invalid is not None and isinstance(exc, invalid):
        report_error("error", invalid_values(exc), json_out=json_out)
        sys.exit(2)
    debug = _debug()
    report_error("internal error", f"{type(exc).__name__}: {exc}", json_out=json_out)
    if debug:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    else:
        typer.echo(
            "This is a bug in takedown; run again with TAKEDOWN_DEBUG=1 to see the traceback.",
            err=True,
        )
    sys.exit(1)


def _debug() -> bool:
    """TAKEDOWN_DEBUG, read while reporting an error: never an error itself."""
    try:
        from takedown.config import ClientSettings

        return ClientSettings().debug
    except Exception:
        return False


def invalid_values(exc: pydantic.ValidationError) -> str:
    """``field: problem (got 'value')`` for each invalid value, as one line; a setting is
    named with its variable too (``port (TAKEDOWN_PORT)``)."""
    settings = exc.title in ("Settings", "ClientSettings")
    problems = []
    for e in exc.errors()[:10]:
        where = ".".join(str(p) for p in e.get("loc", ())) or "value"
        if settings:
            where = f"{where} (TAKEDOWN_{where.upper()})"
        got = repr(e.get("input"))
        got = got if len(got) <= 60 else got[:57] + "..."
        problems.append(f"{where}: {e.get('msg', 'invalid')} (got {got})")
    return f"invalid {exc.title}: " + "; ".join(problems)
