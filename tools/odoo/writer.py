"""The only write access to Odoo, used exclusively by the executors of approved actions.

A writer is an :class:`OdooClient` authenticated as the approver (or the
configured writer account), so Odoo's own access rights apply to every write.
Writes are never retried blindly: an executor looks for its idempotency key
before each attempt.
"""

from __future__ import annotations

from typing import Any

from tools.odoo.client import OdooClient
from tools.odoo.errors import OdooError


class OdooWriter:
    def __init__(self, client: OdooClient) -> None:
        self.client = client

    @property
    def login(self) -> str:
        return self.client.spec.login

    @property
    def uid(self) -> int:
        return self.client.uid

    def find(self, model: str, domain: list[Any], fields: list[str], limit: int = 1) -> list[dict[str, Any]]:
        return self.client.search_read(model, domain, fields, limit=limit)

    def _write(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any] | None = None) -> Any:
        """One write call, never retried here (the executor re-checks its idempotency key first)."""
        transport = self.client._transport
        if transport is None:
            raise OdooError("the writer is not connected to Odoo")
        kwargs = dict(kwargs or {})
        kwargs["context"] = {**kwargs.get("context", {}), "allowed_company_ids": [self.client.company_id]}
        return transport.execute_kw(model, method, args, kwargs)

    def create(self, model: str, values: dict[str, Any]) -> int:
        result = self._write(model, "create", [values])
        return int(result[0] if isinstance(result, list) else result)

    def message_post(self, model: str, record_id: int, body: str, *, note: bool = True,
                     attachment_ids: list[int] | None = None) -> int:
        kwargs: dict[str, Any] = {"body": body, "message_type": "comment",
                                  "subtype_xmlid": "mail.mt_note" if note else "mail.mt_comment"}
        if attachment_ids:
            kwargs["attachment_ids"] = attachment_ids
        return int(self._write(model, "message_post", [[record_id]], kwargs))

    def close(self) -> None:
        self.client.close()
