"""An embedded, stateful, Odoo-17-compatible server with a realistic demo company.

Real HTTP, real protocols (JSON-RPC, XML-RPC, /web session routes, JSON-2),
real domain semantics and Odoo-shaped errors: the product, its tests, benchmarks
and evals talk to it exactly as they talk to a customer's Odoo.
"""
