"""``cash.flow.forecast``: the model the product's companion Odoo module will ship.

Not installed on a standard database; the sandbox offers it when the module
``cashflow_forecast`` is in its module list, so the SaveForecast path that uses
it is tested (otherwise the forecast is saved as a JSON attachment).
"""

from sandbox.schema import Char, Date, Float, Integer, Many2one, ModelSpec, Text, chatter_fields

MODELS = [
    ModelSpec("cash.flow.forecast", "Cash Flow Forecast", module="cashflow_forecast", order="date desc, id desc",
              mail_thread=True, fields=[
        Char("name", "Name", required=True),
        Many2one("company_id", "Company", "res.company", required=True),
        Date("date", "Forecast Date", required=True),
        Integer("horizon_days", "Horizon (days)"),
        Many2one("currency_id", "Currency", "res.currency"),
        Float("opening_balance", "Opening Balance"),
        Float("threshold", "Safety Threshold"),
        Float("min_balance_p50", "Lowest Balance (P50)"),
        Float("min_balance_p10", "Lowest Balance (P10)"),
        Float("shortfall_probability", "Shortfall Probability"),
        Float("confidence", "Confidence"),
        Text("assumptions", "Assumptions"),
        Text("forecast_json", "Forecast (JSON)"),
        Text("note", "Note"),
        Char("idempotency_key", "Idempotency Key", index=True),
        *chatter_fields("cash.flow.forecast"),
    ]),
]
