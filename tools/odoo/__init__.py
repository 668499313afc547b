"""The product's only door to Odoo: connection, errors, typed read tools.

- :mod:`tools.odoo.client` — :class:`OdooClient` (one connection per run: version, fields and company learned
  once; paged, batched, retrying reads) and :class:`ConnectionSpec`.
- :mod:`tools.odoo.transport` — odoorpc over ``/jsonrpc`` and JSON-2 (Odoo 19+) behind one interface.
- :mod:`tools.odoo.errors` — one-line, actionable :class:`OdooError` kinds; secrets masked.
- :mod:`tools.odoo.read_tools` — the typed read tools (company, open items, payment history, open orders,
  bank transactions, partners, data quality), with pydantic inputs.
- :mod:`tools.odoo.extract` — :func:`extract_snapshot`, everything a forecast needs in a fixed number of calls.
- :mod:`tools.odoo.status` — :func:`inventory` behind ``cashflow status``; :mod:`tools.odoo.doctor` behind
  ``cashflow doctor``.
- :mod:`tools.odoo.records` — the typed records all of it returns (company currency, + cash in, − cash out).
"""
