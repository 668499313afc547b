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
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
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
        if parsed.username or parsed.password:
            raise ValueError("must not contain a login or password: use ODOO_USER and ODOO_PASSWORD or ODOO_API_KEY")
        shown = f"{parsed.scheme}://{parsed.netloc}{parsed.path}" if parsed.scheme else value
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"must start with http:// or https://, like https://odoo.example.com (got {shown!r})")
        try:
            parsed.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            raise ValueError(f"has an invalid port (got {shown!r})") from None
        if parsed.path not in ("", "/") or parsed.query or parsed.fragment:
            raise ValueError(f"must be the server root without a path, like https://odoo.example.com (got {shown!r})")
        return value

    @field_validator("odoo_db", "odoo_user", "odoo_company")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return value.strip() or None if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check_credentials(self) -> Settings:
        if self.odoo_url:
            missing = [name for name, v in (("ODOO_DB", self.odoo_db), ("ODOO_USER", self.odoo_user)) if not v]
            if not (self.odoo_password or self.odoo_api_key):
                missing.append("ODOO_PASSWORD or ODOO_API_KEY")
            if missing:
                raise ValueError(f"ODOO_URL is set, so {', '.join(missing)} must be set too")
            if self.odoo_protocol == "json2" and not self.odoo_api_key:
                raise ValueError("ODOO_PROTOCOL=json2 needs ODOO_API_KEY (JSON-2 does not accept passwords)")
        else:
            given = [name for name, v in (("ODOO_DB", self.odoo_db), ("ODOO_USER", self.odoo_user),
                                          ("ODOO_PASSWORD", self.odoo_password), ("ODOO_API_KEY", self.odoo_api_key))
                     if v]
            if given:
                raise ValueError(f"{', '.join(given)} set but ODOO_URL is not: set ODOO_URL too, or unset them to "
                                 "use the built-in demo company")
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


class SettingsError(ValueError):
    """Invalid configuration; ``str(error)`` is one line naming the variables to fix (never their secret values)."""

    exit_code = 2


def settings_message(exc: ValidationError) -> str:
    """pydantic's errors as one line: ``ODOO_TIMEOUT: Input should be a valid number; ...``."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()))
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        parts.append(f"{loc.upper()} {msg}" if loc and msg.startswith(("must", "has ")) else
                     f"{loc.upper()}: {msg}" if loc else msg)
    return "invalid settings: " + "; ".join(parts)


def load_settings(**overrides: object) -> Settings:
    """Read and validate settings; raises :class:`SettingsError` with a one-line message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError(settings_message(exc)) from None
