"""The platform simulator: real HTTP on 127.0.0.1, many virtual platforms in one process.

Build a ``World`` of items (live, removed, geo-blocked, suspended, reinstated, with faults)
and serve it with ``SimServer``; point the checker at it with ``--connect-to``.
"""

from __future__ import annotations

from takedown.sim.model import HOSTS, Fault, Item, State, World
from takedown.sim.server import SimServer

__all__ = ["HOSTS", "Fault", "Item", "SimServer", "State", "World"]
