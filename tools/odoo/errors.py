"""One exception hierarchy at the Odoo boundary.

``OdooError`` and its kinds carry a one-line message that says what is wrong and
what to do. The server's traceback is logged at debug level only; passwords and
API keys never appear in a message or a log line.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)
MASK = "**********"
_SECRETS: set[str] = set()


def register_secret(secret: str, login: str = "") -> None:
    """Mask ``secret`` in every error message and in the log lines of odoorpc, httpx and this package.

    A safety net behind the rule that no message is built with a secret: very short secrets, and a
    password equal to the login (which messages must name), are not masked by value."""
    if secret and len(secret) >= 6 and secret != login:
        _SECRETS.add(secret)


def redact(text: str) -> str:
    """``text`` with every registered password or API key replaced by a mask."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


@dataclass(frozen=True)
class Where:
    """What a call was about, for error messages."""

    url: str
    database: str | None = None
    user: str | None = None
    model: str | None = None
    method: str | None = None


class OdooError(Exception):
    """Something went wrong talking to Odoo. ``str(error)`` is a one-line, actionable message."""

    transient = False
    exit_code = 3

    def __init__(self, message: str, *, odoo_name: str | None = None) -> None:
        super().__init__(redact(" ".join(message.split())))
        self.odoo_name = odoo_name


class OdooUnavailable(OdooError):
    """The server could not be reached or answered with a temporary failure (retried)."""

    transient = True


class OdooAuthError(OdooError):
    """Wrong login, password, API key, or expired session."""

    exit_code = 4


class OdooAccessError(OdooError):
    """The user lacks the rights for an operation on a model."""

    exit_code = 5


class OdooNotFound(OdooError):
    """A database, model, method, field or record that does not exist (e.g. a module not installed)."""

    exit_code = 5


class OdooBadRequest(OdooError):
    """Odoo refused the request: invalid field, domain, value, or a business rule (UserError/ValidationError)."""

    exit_code = 2


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return text.strip()


def _groups(message: str) -> list[str]:
    return [m.strip() for m in re.findall(r"^\s*-\s*(.+)$", message, flags=re.MULTILINE)]


TRANSIENT_NAMES = ("SerializationFailure", "TransactionRollbackError", "ConcurrencyError", "LockNotAvailable",
                   "DeadlockDetected")
"""Odoo/PostgreSQL errors that a retry can cure (concurrent updates, lock timeouts)."""
_OPERATIONS = {"access": "read", "modify": "write", "create": "create", "delete": "delete"}


def from_odoo_error(data: dict[str, Any], where: Where) -> OdooError:
    """Turn an Odoo error payload (``error.data`` of JSON-RPC, a JSON-2 error body) into an OdooError."""
    name = str(data.get("name") or "")
    message = str(data.get("message") or "")
    if data.get("debug"):
        log.debug("Odoo traceback for %s.%s: %s", where.model, where.method, data["debug"])
    target = f"{where.model}" if where.model else "Odoo"
    if name.endswith("AccessDenied"):
        return OdooAuthError(
            f"Odoo at {where.url} refused the credentials of user '{where.user}' on database '{where.database}': "
            "check ODOO_USER and ODOO_PASSWORD or ODOO_API_KEY", odoo_name=name)
    if name.endswith("SessionExpiredException"):
        return OdooAuthError(f"the Odoo session on {where.url} expired: log in again", odoo_name=name)
    if name.endswith("AccessError"):
        if "Private methods" in message:
            return OdooBadRequest(f"{target}: {_first_line(message)}", odoo_name=name)
        verb = re.search(r"not allowed to (\w+)", message)
        operation = _OPERATIONS.get(verb.group(1), verb.group(1)) if verb else "use"
        groups = _groups(message)
        advice = (f"add the user to group {' or '.join(groups)} (Settings > Users)" if groups
                  else "ask an Odoo administrator for access")
        if "multi-company" in message or "unauthorized or invalid companies" in message:
            return OdooAccessError(
                f"user '{where.user}' may not use the requested company on {where.url} (database "
                f"'{where.database}'): check ODOO_COMPANY and the user's allowed companies", odoo_name=name)
        return OdooAccessError(f"user '{where.user}' may not {operation} {target} on {where.url} (database "
                               f"'{where.database}'): {advice}", odoo_name=name)
    if name.endswith("MissingError"):
        return OdooNotFound(f"{target}: {_first_line(message)}", odoo_name=name)
    if "OperationalError" in name and "does not exist" in message:
        return OdooNotFound(
            f"database '{where.database}' does not exist on {where.url}: check ODOO_DB", odoo_name=name)
    if any(kind in name for kind in TRANSIENT_NAMES) or "could not serialize" in message:
        return OdooUnavailable(f"Odoo at {where.url} hit a concurrent-update conflict; retry later", odoo_name=name)
    if name.endswith("UserError") and "doesn't exist" in message and message.startswith("Object "):
        model = message.split()[1]
        return OdooNotFound(
            f"model {model} does not exist on {where.url} (database '{where.database}'): install the Odoo module "
            "that provides it, or check the model name", odoo_name=name)
    if name.endswith("AttributeError"):
        return OdooNotFound(f"{target}: {_first_line(message)}", odoo_name=name)
    if name.endswith(("UserError", "ValidationError", "ValueError", "TypeError", "KeyError")):
        return OdooBadRequest(f"{target}.{where.method or ''} refused by Odoo: {_first_line(message)}",
                              odoo_name=name)
    return OdooError(f"{target}.{where.method or ''} failed on {where.url}: {_first_line(message) or name}",
                     odoo_name=name)
