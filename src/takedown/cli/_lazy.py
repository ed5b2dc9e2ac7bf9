"""Top-level commands imported when first used, so that `takedown --help` imports none.

``commands.json`` (written by ``make docs``: ``python -m takedown.cli._reference commands``)
names, for each top-level command, the module of this package that registers it and the
first paragraph of its help: all that `takedown --help` shows. A command is built from its
module the first time it is looked up. The list is only a shortcut: a name it lacks loads
every module before it is refused, and a missing or unreadable list means every module is
loaded (as before lazy loading), so a stale list never hides a command; tests/test_docs.py
fails when it is stale.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

MANIFEST = Path(__file__).with_name("commands.json")
PACKAGE = __name__.rpartition(".")[0]


def command_modules() -> list[str]:
    """The modules of this package that register commands: every one not named ``_…``."""
    here = [str(Path(__file__).parent)]
    return sorted(m.name for m in pkgutil.iter_modules(here) if not m.name.startswith("_"))


def read_manifest(path: Path = MANIFEST) -> dict[str, tuple[str, str]]:
    """``{command: (module, help)}`` from ``commands.json``; empty when it is unreadable."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {name: (module, help) for name, (module, help) in raw.items()}
    except (OSError, ValueError, TypeError):
        return {}


def first_paragraph(command: Any) -> str:
    """What a command list shows of a command's help (as Typer's help does)."""
    text = command.short_help or command.help or ""
    return inspect.cleandoc(text).split("\n\n")[0]


class Commands(MutableMapping[str, Any]):
    """A group's commands by name, each built from its module when first looked up.

    While ``listing`` is set (the group's help is being written), a command whose module is
    not loaded yet is a stand-in that carries only its name and help."""

    def __init__(self, manifest: dict[str, tuple[str, str]], loaded: MutableMapping[str, Any]):
        self.manifest = manifest
        self.loaded: dict[str, Any] = dict(loaded)
        self.module_of: dict[str, str] = {}
        self.listing = False
        self._modules: set[str] = set()

    def load(self, module: str) -> None:
        """Import ``module`` and add the commands its ``register(app)`` adds."""
        if module in self._modules:
            return
        self._modules.add(module)
        sub = typer.Typer()
        importlib.import_module(f"{PACKAGE}.{module}").register(sub)
        for name, command in typer.main.get_group(sub).commands.items():
            self.loaded.setdefault(name, command)
            self.module_of.setdefault(name, module)

    def load_all(self) -> None:
        for module in command_modules():
            self.load(module)

    def _everything_loaded(self) -> bool:
        return not self.manifest or self._modules.issuperset(command_modules())

    def __getitem__(self, name: str) -> Any:
        if name in self.loaded:
            return self.loaded[name]
        entry = self.manifest.get(name)
        if entry is not None and self.listing:
            return TyperCommand(name=name, help=entry[1])
        if entry is not None:
            self.load(entry[0])
        if name not in self.loaded:
            self.load_all()  # not in the list, or the list is stale: ask every module
        return self.loaded[name]

    def __iter__(self) -> Iterator[str]:
        if self._everything_loaded():
            self.load_all()
            # Commands before groups (as Typer lists them), each in the order of loading.
            return iter(sorted(self.loaded, key=lambda n: isinstance(self.loaded[n], TyperGroup)))
        extra = [name for name in self.loaded if name not in self.manifest]
        return iter([*self.manifest, *extra])

    def __len__(self) -> int:
        return len(list(iter(self)))

    def __contains__(self, name: object) -> bool:
        return name in self.loaded or name in self.manifest

    def __setitem__(self, name: str, command: Any) -> None:
        self.loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self.loaded[name]


class LazyGroup(TyperGroup):
    """The ``takedown`` group: its commands come from ``Commands``."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = self.lazy = Commands(read_manifest(), self.commands)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.lazy.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.lazy.listing = False
