"""Actions: proposal models (no side effects), their review against Odoo, and idempotent executors."""
