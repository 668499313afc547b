"""The product's only door to Odoo: connection, errors, typed read tools."""
