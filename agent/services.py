"""Per-process services behind the graph: Odoo reads, the forecast, approvals, writers.

Nothing here is checkpointed: after a restart the services are rebuilt lazily,
and the graph's state only holds ids and summaries.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from agent.approvals import ApprovalStore
from agent.runtime import as_of_date, open_odoo
from tools.odoo.client import ConnectionSpec, OdooClient
from tools.odoo.records import Snapshot
from tools.odoo.writer import OdooWriter
from tools.settings import Settings

if TYPE_CHECKING:
    from tools.forecast.types import Forecast

log = logging.getLogger(__name__)
Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class WriterCredentials:
    """Who writes approved actions: the approver (from the CLI) or the configured writer account."""

    login: str
    secret: str = field(repr=False)
    api_key: bool = False
    display: str = ""


class Services:
    """Lazily connected Odoo client, extracted snapshot, cached forecasts and the approvals table."""

    def __init__(self, settings: Settings, *, as_of: dt.date | None = None, client: OdooClient | None = None,
                 progress: Progress | None = None) -> None:
        self.settings = settings
        self.as_of = as_of_date(settings, as_of)
        self._client = client
        self._progress = progress
        self._stack = ExitStack()
        self._forecasts: dict[tuple[int, float], Forecast] = {}
        self._writers: dict[tuple[str, str, bool], OdooWriter] = {}

    # -- Odoo ---------------------------------------------------------------------------------------
    @property
    def client(self) -> OdooClient:
        if self._client is None:
            self._client = self._stack.enter_context(open_odoo(self.settings, progress=self._progress))
        return self._client

    @property
    def connection(self) -> ConnectionSpec:
        return self.client.spec

    @cached_property
    def snapshot(self) -> Snapshot:
        from tools.odoo.extract import extract_snapshot

        return extract_snapshot(self.client, as_of=self.as_of, history_months=self.settings.cashflow_history_months,
                                progress=self._progress)

    @property
    def currency(self) -> str:
        return self.snapshot.context.company.currency

    # -- forecast -----------------------------------------------------------------------------------
    def threshold(self, value: float | None) -> float:
        return self.settings.cashflow_threshold if value is None else float(value)

    def forecast(self, horizon_days: int | None = None, threshold: float | None = None) -> Forecast:
        from tools.forecast.engine import build_forecast

        key = (horizon_days or self.settings.cashflow_horizon_days, self.threshold(threshold))
        if key not in self._forecasts:
            self._forecasts[key] = build_forecast(self.snapshot, as_of=self.as_of, horizon_days=key[0],
                                                  threshold=key[1])
        return self._forecasts[key]

    def forecast_payload(self, horizon_days: int, threshold: float | None) -> dict[str, Any]:
        """What SaveForecast stores: the forecast JSON plus a summary."""
        fc = self.forecast(horizon_days, threshold)
        data = fc.to_json()
        low_day, low = fc.min_balance()
        data["summary"] = {"min_balance_p50": low, "min_balance_date": low_day.isoformat(),
                           "min_balance_p10": min(d.balance_p10 for d in fc.days),
                           "max_p_below_threshold": max(d.p_below_threshold for d in fc.days)}
        return data

    # -- approvals and writers ----------------------------------------------------------------------
    @cached_property
    def approvals(self) -> ApprovalStore:
        store = ApprovalStore(self.settings.data_dir / "approvals.sqlite")
        self._stack.callback(store.close)
        return store

    def writer(self, credentials: WriterCredentials) -> OdooWriter:
        """A write client authenticated as ``credentials`` on the same Odoo as the reads (one per login)."""
        # keyed by the secret too: a cached session must never stand in for a later, wrong password
        cache_key = (credentials.login, credentials.secret, credentials.api_key)
        cached = self._writers.get(cache_key)
        if cached is not None:
            return cached
        spec = self.connection
        client = OdooClient(ConnectionSpec(
            url=spec.url, database=spec.database, login=credentials.login, secret=credentials.secret,
            protocol=spec.protocol, api_key=credentials.api_key, timeout=spec.timeout,
            retry_attempts=spec.retry_attempts, retry_max_seconds=spec.retry_max_seconds, page_size=spec.page_size,
            company=str(self.client.company_id))).connect()
        self._stack.callback(client.close)
        self._writers[cache_key] = OdooWriter(client)
        return self._writers[cache_key]

    def configured_writer(self) -> WriterCredentials | None:
        s = self.settings
        secret = s.odoo_write_api_key or s.odoo_write_password
        if not s.odoo_write_user or secret is None:
            return None
        return WriterCredentials(login=s.odoo_write_user, secret=secret.get_secret_value(),
                                 api_key=s.odoo_write_api_key is not None, display=s.odoo_write_user)

    def close(self) -> None:
        self._stack.close()
