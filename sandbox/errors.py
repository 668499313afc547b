"""The exceptions a real Odoo raises, with the fully qualified names it reports on the wire."""

from __future__ import annotations


class OdooServerError(Exception):
    """Base of every error the sandbox reports to a client the way Odoo does."""

    odoo_name = "odoo.exceptions.UserError"
    xmlrpc_fault_code: int = 2
    json2_status = 422

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UserError(OdooServerError):
    odoo_name = "odoo.exceptions.UserError"


class ValidationError(UserError):
    odoo_name = "odoo.exceptions.ValidationError"


class AccessError(UserError):
    odoo_name = "odoo.exceptions.AccessError"
    xmlrpc_fault_code = 4
    json2_status = 403


class MissingError(UserError):
    odoo_name = "odoo.exceptions.MissingError"
    json2_status = 404


class AccessDenied(OdooServerError):
    odoo_name = "odoo.exceptions.AccessDenied"
    xmlrpc_fault_code = 3
    json2_status = 401

    def __init__(self, message: str = "Access Denied") -> None:
        super().__init__(message)


class SessionExpired(OdooServerError):
    odoo_name = "odoo.http.SessionExpiredException"
    json2_status = 403

    def __init__(self, message: str = "Session expired") -> None:
        super().__init__(message)


class OdooValueError(OdooServerError):
    """A Python ``ValueError`` raised inside the ORM (bad field, bad domain, bad value)."""

    odoo_name = "builtins.ValueError"
    xmlrpc_fault_code = 1


class OdooTypeError(OdooServerError):
    odoo_name = "builtins.TypeError"
    xmlrpc_fault_code = 1


class OdooAttributeError(OdooServerError):
    odoo_name = "builtins.AttributeError"
    xmlrpc_fault_code = 1
    json2_status = 404


class DatabaseError(OdooServerError):
    """An error PostgreSQL raises (reported under psycopg2's exception name)."""

    xmlrpc_fault_code = 1

    def __init__(self, odoo_name: str, message: str) -> None:
        super().__init__(message)
        self.odoo_name = odoo_name


class SerializationFailure(OdooServerError):
    """PostgreSQL could not serialize concurrent transactions (Odoo retries, then gives up)."""

    odoo_name = "psycopg2.errors.SerializationFailure"
    xmlrpc_fault_code = 1
    json2_status = 500


HTTP_NAMES = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
              405: "MethodNotAllowed", 422: "UnprocessableEntity"}


class HTTPException(OdooServerError):
    """A werkzeug HTTP exception: JSON-2 answers it with its own status and ``[message, status]`` arguments."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.odoo_name = f"werkzeug.exceptions.{HTTP_NAMES.get(status, 'HTTPException')}"
        self.json2_status = status
        self.arguments: list[object] = [message, status]
