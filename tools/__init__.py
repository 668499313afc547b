"""Typed tools: Odoo access (``tools.odoo``), forecasting (``tools.forecast``), actions (``tools.actions``)."""
