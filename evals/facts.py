"""Ground truth for eval cases, computed from the data independently of the agent's tools."""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from tools.odoo.ledger import payment_history

if TYPE_CHECKING:
    from agent.services import Services


def _money(value: float) -> str:
    return f"{value:,.2f}"


class Facts:
    """Named facts about the demo company, as text the answer must contain."""

    def __init__(self, services: Services) -> None:
        self.s = services
        self._cache: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        if name not in self._cache:
            self._cache[name] = getattr(self, f"_{name}")()
        return self._cache[name]

    # -- placeholders and facts ---------------------------------------------------------------------
    def _open(self, kind: str) -> list[Any]:
        return [i for i in self.s.snapshot.installments if i.is_open and i.kind == kind]

    def _bank_balance(self) -> str:
        return _money(self.s.snapshot.context.bank_balance)

    def _opening_balance(self) -> str:
        return _money(self.s.forecast().opening_balance)

    def _lowest_balance_p50(self) -> str:
        return _money(round(self.s.forecast().min_balance()[1], 2))

    def _top_debtor(self) -> str:
        totals: dict[str, float] = defaultdict(float)
        for i in self._open("receivable"):
            totals[i.partner_name] += i.residual
        return max(totals.items(), key=lambda kv: kv[1])[0]

    def _receivable_total(self) -> str:
        return _money(round(sum(i.residual for i in self._open("receivable")), 2))

    def _overdue_receivable_total(self) -> str:
        as_of = self.s.as_of
        return _money(round(sum(i.residual for i in self._open("receivable") if i.overdue_days(as_of) > 0), 2))

    def _payable_total(self) -> str:
        return _money(round(-sum(i.residual for i in self._open("payable")), 2))

    def _delays(self) -> dict[str, list[int]]:
        delays: dict[str, list[int]] = defaultdict(list)
        customers = {p.id for p in self.s.snapshot.partners if p.is_customer}
        for r in sorted(payment_history(self.s.snapshot.installments), key=lambda r: r.paid_date):
            if r.kind == "receivable" and r.partner_id in customers and r.days_late is not None:
                delays[r.partner_name].append(r.days_late)
        return delays

    def _worst_late_payer(self) -> str:
        ranked = [(statistics.median(d[-6:]), name) for name, d in self._delays().items() if len(d) >= 3]
        return max(ranked)[1]

    def _regular_debtor(self) -> str:
        """The customer owing most among those with a payment history (at least 3 paid invoices)."""
        delays = self._delays()
        totals: dict[str, float] = defaultdict(float)
        for i in self._open("receivable"):
            if len(delays.get(i.partner_name, [])) >= 3:
                totals[i.partner_name] += i.residual
        return max(totals.items(), key=lambda kv: kv[1])[0]

    def _regular_debtor_median_days_late(self) -> str:
        return str(statistics.median(self._delays()[self.get("regular_debtor")]))

    def _worst_late_payer_recent_median(self) -> str:
        return str(statistics.median(self._delays()[self.get("worst_late_payer")][-6:]))

    def _top_debtor_median_days_late(self) -> str:
        delays = self._delays().get(self.get("top_debtor"), [])
        return str(statistics.median(delays)) if delays else "n/a"

    def _sale_to_invoice_total(self) -> str:
        return _money(round(sum(o.amount_to_invoice for o in self.s.snapshot.orders if o.kind == "sale" and o.is_open),
                            2))

    def _quality_issue_codes(self) -> str:
        return str(len(self.s.snapshot.quality))

    def _open_bill(self) -> str:
        bills = [i for i in self._open("payable") if i.move_type == "in_invoice"]
        return max(bills, key=lambda i: (i.due_date or self.s.as_of, i.document.id)).document.name
