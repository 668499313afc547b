"""Settings of the product, validated once into one typed object (env vars and ``.env``).

Every variable is documented in ``.env.example``. When ``ODOO_URL`` is unset the
product runs against the embedded sandbox and its demo company.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

import platformdirs
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_home() -> Path:
    return Path(platformdirs.user_data_dir("odoo-cashflow", appauthor=False))


class Settings(BaseSettings):
    """Typed configuration; field ``odoo_url`` is read from ``ODOO_URL`` and so on."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      case_sensitive=False)

    # -- Odoo connection ----------------------------------------------------------------------------
    odoo_url: str | None = Field(default=None, description="Odoo server root, e.g. https://acme.odoo.com")
    odoo_db: str | None = Field(default=None, description="Database name")
    odoo_user: str | None = Field(default=None, description="Login of the (read-only) integration user")
    odoo_password: SecretStr | None = None
    odoo_api_key: SecretStr | None = None
    odoo_protocol: Literal["auto", "jsonrpc", "json2"] = "auto"
    odoo_timeout: float = Field(default=60.0, gt=0, le=3600)
    odoo_company: str | None = Field(default=None, description="Company id or name on multi-company databases")
    odoo_retry_attempts: int = Field(default=4, ge=1, le=20)
    odoo_retry_max_seconds: float = Field(default=30.0, gt=0, le=3600)
    odoo_page_size: int = Field(default=2000, ge=10, le=50000)

    # -- writer account (approved actions only) -----------------------------------------------------
    odoo_write_user: str | None = None
    odoo_write_password: SecretStr | None = None
    odoo_write_api_key: SecretStr | None = None

    # -- product ------------------------------------------------------------------------------------
    cashflow_home: Path = Field(default_factory=default_home, description="Data directory (cache, state, audit)")
    cashflow_threshold: float = Field(default=0.0, description="Safety threshold in company currency")
    cashflow_horizon_days: int = Field(default=91, ge=1, le=730)
    cashflow_history_months: int = Field(default=24, ge=3, le=120)
    cashflow_demo_seed: int = 7
    cashflow_demo_scale: float = Field(default=1.0, gt=0, le=50)
    cashflow_demo_as_of: dt.date | None = None
    cashflow_approver_group: str = "account.group_account_manager"
    cashflow_approver_password: SecretStr | None = None
    cashflow_max_tool_calls: int = Field(default=8, ge=1, le=50)
    cashflow_auto_approve: str = Field(default="", description="Comma-separated action types approved in advance")

    # -- LLM (optional) -----------------------------------------------------------------------------
    openai_base_url: str | None = None
    openai_api_key: SecretStr | None = None
    llm_model: str | None = None
    checkpoint_url: str | None = None

    @field_validator("odoo_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"ODOO_URL must look like https://odoo.example.com (got {value!r})")
        if parsed.path not in ("", "/"):
            raise ValueError(f"ODOO_URL must be the server root without a path (got {value!r})")
        return value

    @model_validator(mode="after")
    def _check_credentials(self) -> Settings:
        if self.odoo_url:
            missing = [name for name, v in (("ODOO_DB", self.odoo_db), ("ODOO_USER", self.odoo_user)) if not v]
            if not (self.odoo_password or self.odoo_api_key):
                missing.append("ODOO_PASSWORD or ODOO_API_KEY")
            if missing:
                raise ValueError(f"ODOO_URL is set, so {', '.join(missing)} must be set too")
        return self

    @property
    def embedded(self) -> bool:
        """True when no Odoo is configured: the built-in demo company is used."""
        return self.odoo_url is None

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_model and (self.openai_base_url or self.openai_api_key))

    @cached_property
    def data_dir(self) -> Path:
        self.cashflow_home.mkdir(parents=True, exist_ok=True)
        return self.cashflow_home


def load_settings(**overrides: object) -> Settings:
    """Read and validate settings (raises pydantic's ValidationError, which the CLI turns into one line)."""
    return Settings(**overrides)  # type: ignore[arg-type]
