"""Terminal output: rich tables and progress bars for people, one JSON object for machines."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

ProgressCallback = Callable[[str, float], None]


class Output:
    """Where a command writes: ``--json`` means silence and exactly one JSON object on stdout."""

    def __init__(self, json_mode: bool = False) -> None:
        self.json_mode = json_mode
        self.console = Console(highlight=False)
        self.err = Console(stderr=True, highlight=False)

    @property
    def interactive(self) -> bool:
        return not self.json_mode and sys.stderr.isatty()

    @contextmanager
    def progress(self, description: str) -> Iterator[ProgressCallback]:
        """A progress bar on a terminal (stderr); nothing otherwise."""
        if not self.interactive:
            yield lambda label, fraction: None
            return
        columns = (TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                   TextColumn("[dim]{task.fields[step]}"), TimeElapsedColumn())
        with Progress(*columns, console=self.err, transient=True) as bar:
            task = bar.add_task(description, total=1.0, step="")

            def update(label: str, fraction: float) -> None:
                bar.update(task, completed=max(0.0, min(1.0, fraction)), step=label)

            yield update

    def emit(self, payload: Any) -> None:
        """The single JSON document of a ``--json`` run."""
        sys.stdout.write(json.dumps(payload, default=str, indent=2) + "\n")
        sys.stdout.flush()

    def print(self, *objects: Any) -> None:
        if not self.json_mode:
            self.console.print(*objects)

    def note(self, message: str) -> None:
        """A side remark on stderr (never pollutes stdout)."""
        if not self.json_mode:
            self.err.print(message)


def money(value: float | None, currency: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.2f}"
    return f"{text} {currency}".strip()
