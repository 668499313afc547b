"""Turning failures into one clear line and a meaningful exit code (never a bare traceback)."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from pydantic import ValidationError

from tools.odoo.errors import OdooError, redact
from tools.settings import SettingsError, settings_message

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2
EXIT_UNREACHABLE = 3
EXIT_AUTH = 4
EXIT_ACCESS = 5
EXIT_REFUSED = 6


class UserInputError(Exception):
    """Bad input from the user (dates, amounts, options): exit code 2 with the message."""

    exit_code = EXIT_BAD_INPUT


class Refused(Exception):
    """A request that cannot be honoured as asked (e.g. approving an already decided action)."""

    exit_code = EXIT_REFUSED


def classify(exc: BaseException) -> tuple[int, str, str]:
    """(exit code, error kind, one-line message) for an exception."""
    if isinstance(exc, SettingsError):
        return EXIT_BAD_INPUT, "settings", str(exc)
    if isinstance(exc, ValidationError):
        return EXIT_BAD_INPUT, "invalid_input", settings_message(exc).replace("invalid settings", "invalid input", 1)
    if isinstance(exc, OdooError):
        return exc.exit_code, type(exc).__name__, str(exc)
    code = getattr(exc, "exit_code", None)
    if isinstance(code, int):
        return code, type(exc).__name__, " ".join(str(exc).split())
    return EXIT_INTERNAL, "internal", f"unexpected {type(exc).__name__}: {' '.join(str(exc).split())} " \
                                      "(run with --debug for details)"


def handle_errors(func: F) -> F:
    """Decorate a command: errors become one line on stderr (or a JSON error object) and an exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        json_mode = bool(kwargs.get("json_output"))
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            code, kind, message = classify(exc)
            message = redact(message)
            log.debug("command failed", exc_info=True)
            if json_mode:
                import json

                sys.stdout.write(json.dumps({"error": {"kind": kind, "message": message, "exit_code": code}}) + "\n")
            else:
                sys.stderr.write(f"Error: {message}\n")
            raise typer.Exit(code) from None

    return wrapper  # type: ignore[return-value]
