"""Demo data: an invented action day against the platform simulator, for `make run`.

Everything here is generated: channel names are random strings, texts are lorem ipsum. The
URLs are those of ``takedown.sim.World.generate(DEMO_PLATFORMS, DEMO_ITEMS, DEMO_SEED)``, so
`takedown serve --simulate PORT` serves the very pages the demo reports.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

from sqlalchemy import select

from takedown.interop.tabular import Row
from takedown.services import assessment, referrals, responses
from takedown.services.intake import submit_reports
from takedown.services.operations import create_operation
from takedown.services.units import configure_delivery, create_token, create_unit, principal_for
from takedown.store.db import Database
from takedown.store.models import Item, Operation

DEMO_OPERATION = "demo-action-day"
DEMO_PLATFORMS = ["telegram", "youtube"]
DEMO_ITEMS = 40
DEMO_SEED = 2026
LOREM = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor."
#: Invented group names: the demo never labels its invented content with a real designation.
#: Written to DATA_DIR/demo-taxonomy.json; set TAKEDOWN_TAXONOMY_FILE to it to assess demo
#: items with these labels (the built-in taxonomy lists real, designated groups).
DEMO_TAXONOMY: dict[str, Any] = {
    "note": "Invented group names for the demo; not a real designation list.",
    "groups": ["group-alpha", "group-beta", "group-gamma", "unaffiliated", "unknown"],
    "tiers": ["tier-1", "tier-2", "tier-3"],
}


SIM_WORLD_FILE = "simulator-world.json"


def demo_world(data_dir: Path | None = None) -> Any:
    """The demo's simulated platforms; with ``data_dir``, their states persist there, so that
    content a simulated platform removed stays removed after `make run` restarts."""
    from takedown.sim import World

    world = World.generate(DEMO_PLATFORMS, DEMO_ITEMS, DEMO_SEED)
    return world.keep_in(data_dir / SIM_WORLD_FILE) if data_dir is not None else world


def seed_demo(db: Database, data_dir: Path) -> dict[str, Any]:
    """Create the demo operation once; later calls change nothing and say so."""
    tokens_file = data_dir / "demo-tokens.json"
    with db.session() as session:
        if session.scalar(select(Operation).where(Operation.name == DEMO_OPERATION)):
            return {
                "created": False,
                "operation": DEMO_OPERATION,
                "tokens": str(tokens_file),
                "taxonomy": str(data_dir / "demo-taxonomy.json"),
            }
        actor = "system:demo"
        op = create_operation(
            session, DEMO_OPERATION, actor=actor, description="Invented action day (demo data)"
        )
        de = create_unit(
            session,
            "IRU-DE (demo)",
            "referral_unit",
            actor=actor,
            member_state="DE",
            competent_authority=True,
            contact="iru-de@demo.invalid",
        )
        fr = create_unit(
            session,
            "IRU-FR (demo)",
            "referral_unit",
            actor=actor,
            member_state="FR",
            contact="iru-fr@demo.invalid",
        )
        nl = create_unit(
            session,
            "IRU-NL (demo)",
            "referral_unit",
            actor=actor,
            member_state="NL",
            contact="iru-nl@demo.invalid",
        )
        tg = create_unit(
            session, "Telegram (simulated)", "platform", actor=actor, platforms=["telegram"]
        )
        yt = create_unit(
            session, "YouTube (simulated)", "platform", actor=actor, platforms=["youtube"]
        )
        oversight = create_unit(session, "Oversight (demo)", "oversight", actor=actor)
        configure_delivery(session, tg, actor=actor, contact="abuse@telegram.demo.invalid")
        roles = [
            (de, "analyst"),
            (de, "senior_assessor"),
            (fr, "analyst"),
            (nl, "analyst"),
            (tg, "platform_agent"),
            (yt, "platform_agent"),
            (oversight, "auditor"),
        ]
        tokens = {
            f"{u.name} / {r}": create_token(session, u, r, actor=actor, label="demo")[1]
            for u, r in roles
        }
        units = [de, fr, nl]
        op_id = op.id
    rng = random.Random(DEMO_SEED)
    world = demo_world()
    for unit in units:
        rows = []
        for n, sim_item in enumerate(world.unique(), start=1):
            if rng.random() < 0.5:
                continue
            rows.append(
                Row(
                    n,
                    {
                        "url": sim_item.url,
                        "title": f"demo item {n}",
                        "text": LOREM,
                        "language": "la",
                        "external_id": f"{unit.name}-{n}",
                    },
                )
            )
        with db.session() as session:
            operation = session.get(Operation, op_id)
            assert operation is not None
        submit_reports(db, operation, unit, rows, actor=actor, source="demo")
    with db.session() as session:
        operation = session.get(Operation, op_id)
        assert operation is not None
        analyst = principal_for(de, "analyst")
        items = list(
            session.scalars(select(Item).where(Item.operation_id == op_id).order_by(Item.id))
        )
        for item in items[: int(len(items) * 0.7)]:
            assessment.assess_item(
                session,
                analyst,
                item.id,
                verdict="terrorist_content",
                legal_grounds=["a"],
                labels={"group": "group-alpha"},
                reasons="demo: invented content",
                taxonomy=DEMO_TAXONOMY,
            )
        for item in items[int(len(items) * 0.7) : int(len(items) * 0.8)]:
            assessment.assess_item(
                session, analyst, item.id, verdict="not_terrorist_content", reasons="demo"
            )
        referral = referrals.refer_items(session, analyst, operation, "telegram")
        referrals.refer_items(session, analyst, operation, "youtube")
        if referral is not None:
            agent = principal_for(tg, "platform_agent")
            view = responses.referral_view(session, referral)
            answers = [{"item_id": i["item_id"], "action": "removed"} for i in view["items"][::2]]
            if answers:
                responses.answer_referral(session, agent, referral.id, answers)
    tokens_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(tokens_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(tokens, out, indent=2)
    taxonomy_file = data_dir / "demo-taxonomy.json"
    taxonomy_file.write_text(json.dumps(DEMO_TAXONOMY, indent=2) + "\n", encoding="utf-8")
    return {
        "created": True,
        "operation": DEMO_OPERATION,
        "tokens": str(tokens_file),
        "taxonomy": str(taxonomy_file),
    }
