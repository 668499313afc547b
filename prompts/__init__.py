"""Prompt files with checked variables.

``render("system", company="Bluebird", ...)`` loads ``prompts/system.md`` and
substitutes ``$variables``; a missing or unexpected variable is an error, so a
prompt and its caller can never silently drift apart.
"""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path

ROOT = Path(__file__).parent


class PromptError(KeyError):
    pass


@cache
def load(name: str) -> string.Template:
    path = ROOT / f"{name}.md"
    if not path.is_file():
        raise PromptError(f"no prompt file {path.name}")
    return string.Template(path.read_text(encoding="utf-8"))


def variables(name: str) -> set[str]:
    template = load(name)
    found: set[str] = set()
    for match in template.pattern.finditer(template.template):
        key = match.group("named") or match.group("braced")
        if key:
            found.add(key)
    return found


def render(name: str, **values: object) -> str:
    expected = variables(name)
    given = set(values)
    if expected != given:
        missing, extra = sorted(expected - given), sorted(given - expected)
        raise PromptError(f"prompt {name}: missing {missing}, unexpected {extra}")
    return load(name).substitute({k: str(v) for k, v in values.items()}).strip()
