"""Every model the sandbox knows, grouped by Odoo module."""

from sandbox.models import account, base, cashflow, mail, sales
from sandbox.schema import ModelSpec

ALL_MODELS: list[ModelSpec] = [*base.MODELS, *account.MODELS, *sales.MODELS, *mail.MODELS, *cashflow.MODELS]

MODULES = {
    "base": "Base",
    "mail": "Discuss",
    "account": "Invoicing",
    "sale": "Sales",
    "sale_management": "Sales",
    "purchase": "Purchase",
    "cashflow_forecast": "Cash Flow Forecasts",
}
"""Technical name -> application name of the modules a standard database has installed."""
