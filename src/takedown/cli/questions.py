"""``takedown question``: a platform's questions about your referrals and orders, and replies."""

from __future__ import annotations

from dataclasses import asdict

import typer

from takedown.cli._context import open_db
from takedown.cli._output import emit_json, when
from takedown.cli.workflow import _who
from takedown.services import responses

question_app = typer.Typer(
    help="Platforms' questions (needs_clarification) and your replies.", no_args_is_help=True
)
TOKEN = typer.Option(
    ..., "--token", envvar="TAKEDOWN_TOKEN", help="API token to act with (or TAKEDOWN_TOKEN)."
)
JSON = typer.Option(False, "--json", help="Print JSON.")


@question_app.command("list")
def question_list(
    token: str = TOKEN,
    replied: bool = typer.Option(False, "--replied", help="Also those already replied to."),
    json_out: bool = JSON,
) -> None:
    """Questions platforms asked about your unit's referrals and orders."""
    db = open_db()
    who = _who(db, token)
    with db.reading() as session:
        found = responses.questions_for(session, who, unanswered=not replied)
    if json_out:
        for question in found:
            emit_json(asdict(question))
        return
    if not found:
        typer.echo("no questions waiting for a reply" if not replied else "no questions")
        return
    for q in found:
        about = f"order {q.order_id}" if q.order_id else f"referral {q.referral_id}"
        state = "replied" if q.replied else "waiting for your reply"
        typer.echo(
            f"question {q.question_id} on item {q.item_id} ({about}), "
            f"asked {when(q.asked_at)}, {state}:\n  {q.question or '(no text)'}"
        )


@question_app.command("reply")
def question_reply(
    question_id: int,
    text: str = typer.Option(..., "--text", help="Your answer to the platform's question."),
    token: str = TOKEN,
    json_out: bool = JSON,
) -> None:
    """Reply to a platform's question; for an order, its receipt restarts the hour."""
    db = open_db()
    who = _who(db, token)
    with db.session() as session:
        answer = responses.reply_to_question(session, who, question_id, text)
        out = {
            "clarification_id": answer.id,
            "question_id": answer.question_id,
            "item_id": answer.item_id,
            "referral_id": answer.referral_id,
            "order_id": answer.order_id,
        }
    if json_out:
        emit_json(out)
        return
    about = f"order {out['order_id']}" if out["order_id"] else f"referral {out['referral_id']}"
    typer.echo(
        f"reply {out['clarification_id']} stored for item {out['item_id']} ({about}); the "
        "platform sees it in its next pull"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(question_app, name="question")
