"""A small builder of synthetic :class:`~tools.odoo.records.Snapshot` s for forecast unit tests."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from tools.odoo.records import (
    BankJournal,
    BankTransaction,
    Company,
    CompanyContext,
    Installment,
    Order,
    OrderInvoice,
    Partner,
    Payment,
    PaymentTerm,
    PaymentTermLine,
    RecordRef,
    Settlement,
    Snapshot,
)

AS_OF = dt.date(2026, 6, 30)
DAY = dt.timedelta(days=1)


def weekday_on_or_after(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += DAY
    return day


@dataclass
class Builder:
    as_of: dt.date = AS_OF
    history_days: int = 420
    balance: float = 100_000.0
    partners: list[Partner] = field(default_factory=list)
    terms: list[PaymentTerm] = field(default_factory=list)
    installments: list[Installment] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    bank: list[BankTransaction] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    journals: int = 1
    _next: int = 1

    def new_id(self) -> int:
        self._next += 1
        return self._next

    @property
    def history_start(self) -> dt.date:
        return self.as_of - dt.timedelta(days=self.history_days)

    def term(self, name: str, *lines: PaymentTermLine) -> int:
        tid = len(self.terms) + 1
        self.terms.append(PaymentTerm(id=tid, name=name, lines=list(lines)))
        return tid

    def partner(self, name: str, *, vendor: bool = False, term_id: int | None = None) -> int:
        pid = 100 + len(self.partners)
        self.partners.append(Partner(id=pid, name=name, is_customer=not vendor, is_vendor=vendor,
                                     customer_term_id=None if vendor else term_id,
                                     vendor_term_id=term_id if vendor else None))
        return pid

    def name_of(self, pid: int) -> str:
        return next(p.name for p in self.partners if p.id == pid)

    def invoice(self, pid: int, invoice_date: dt.date, amount: float, *, due: dt.date | None = None,
                paid: list[tuple[dt.date, float]] | None = None, vendor: bool = False, refund: bool = False,
                via: str = "bank", origin: str | None = None, term_id: int | None = None) -> Installment:
        """An installment; ``amount`` is given positive and signed here; ``paid`` = (date, amount) parts."""
        kind = "payable" if vendor else "receivable"
        sign = (-1.0 if vendor else 1.0) * (-1.0 if refund else 1.0)
        move_type = {("receivable", False): "out_invoice", ("receivable", True): "out_refund",
                     ("payable", False): "in_invoice", ("payable", True): "in_refund"}[(kind, refund)]
        mid = self.new_id()
        settlements = []
        for day, part in paid or []:
            sid = self.new_id()
            ref = RecordRef(model="account.bank.statement.line", id=sid, name=f"BNK {sid}")
            settlements.append(Settlement(date=day, amount=round(sign * part, 2), via=via,  # type: ignore[arg-type]
                                          source=ref))
            if via in ("bank", "payment"):
                self.bank.append(BankTransaction(id=sid, date=day, amount=round(sign * part, 2), partner_id=pid,
                                                 partner_name=self.name_of(pid), label=f"pay {mid}", journal_id=1,
                                                 journal_code="BNK1", matched="document", counterpart_account=None))
        residual = round(sign * amount - sum(s.amount for s in settlements), 2)
        inst = Installment(line_id=mid * 10, document=RecordRef(model="account.move", id=mid, name=f"DOC/{mid}"),
                           move_type=move_type, kind=kind, partner_id=pid, partner_name=self.name_of(pid),  # type: ignore[arg-type]
                           invoice_date=invoice_date, due_date=due or invoice_date, amount=round(sign * amount, 2),
                           residual=residual, residual_currency=residual, currency="USD", payment_term_id=term_id,
                           payment_state="paid" if abs(residual) < 0.005 else "not_paid", origin=origin,
                           settlements=settlements)
        self.installments.append(inst)
        return inst

    def payer(self, pid: int, *, late: int | list[int], count: int = 12, every: int = 21, amount: float = 1000.0,
              term_days: int = 30, vendor: bool = False, start: dt.date | None = None, jitter: int = 0,
              seed: int = 0) -> None:
        """``count`` paid invoices of a partner paying ``late`` days after due (a list = one per invoice)."""
        rng = random.Random(seed)
        day = start or self.history_start + dt.timedelta(days=5)
        for k in range(count):
            due = weekday_on_or_after(day + dt.timedelta(days=term_days))
            d_late = late[k] if isinstance(late, list) else late
            pay = due + dt.timedelta(days=d_late + (rng.randint(-jitter, jitter) if jitter else 0))
            if pay <= self.as_of:
                self.invoice(pid, day, amount, due=due, paid=[(pay, amount)], vendor=vendor)
            day += dt.timedelta(days=every)

    def flow(self, account: str, amount: float, *, day_of_month: int, months: int | None = None,
             label: str = "") -> None:
        """A monthly no-document bank flow on a day of the month (business day before when a weekend)."""
        start = self.history_start
        y, m = start.year, start.month
        while True:
            try:
                day = dt.date(y, m, day_of_month)
            except ValueError:
                day = dt.date(y, m, 28)
            while day.weekday() >= 5:
                day -= DAY
            if day > self.as_of:
                break
            if day >= start:
                tid = self.new_id()
                self.bank.append(BankTransaction(id=tid, date=day, amount=amount, partner_id=None, partner_name=None,
                                                 label=label or account, journal_id=1, journal_code="BNK1",
                                                 matched="other", counterpart_account=account))
            m += 1
            if m > 12:
                y, m = y + 1, 1

    def order(self, pid: int, *, kind: str = "sale", date_order: dt.date, expected: dt.date | None,
              total: float, invoiced: list[tuple[dt.date, float]] = (), term_id: int | None = None,  # type: ignore[assignment]
              state: str | None = None) -> Order:
        sign = 1.0 if kind == "sale" else -1.0
        oid = self.new_id()
        invoices = [OrderInvoice(move_id=self.new_id(), name=f"INV{oid}-{i}", date=d, amount=sign * a, state="posted")
                    for i, (d, a) in enumerate(invoiced)]
        done = sum(a for _, a in invoiced)
        model = "sale.order" if kind == "sale" else "purchase.order"
        order = Order(ref=RecordRef(model=model, id=oid, name=f"SO{oid}"),
                      kind=kind, partner_id=pid, partner_name=self.name_of(pid),  # type: ignore[arg-type]
                      state=state or ("sale" if kind == "sale" else "purchase"), date_order=date_order,
                      confirmed_on=date_order, expected_date=expected, currency="USD", amount_total=sign * total,
                      amount_invoiced=sign * done, amount_to_invoice=round(sign * (total - done), 2),
                      payment_term_id=term_id, invoice_status="invoiced" if abs(total - done) < 0.005 else "to invoice",
                      invoices=invoices)
        self.orders.append(order)
        return order

    def build(self, *, journals: bool = True) -> Snapshot:
        bank = [BankJournal(id=1, name="Bank", code="BNK1", currency="USD", account_id=10, balance=self.balance)] \
            if journals else []
        context = CompanyContext(url="http://test", database="test", user="admin", server_version="17.0",
                                 company=Company(id=1, name="Test Co", currency="USD", currency_id=1),
                                 bank_journals=bank, currencies=[])
        return Snapshot(as_of=self.as_of, history_start=self.history_start, context=context, partners=self.partners,
                        payment_terms=self.terms, installments=self.installments, orders=self.orders,
                        bank_transactions=sorted(self.bank, key=lambda t: t.date), payments=self.payments)


def small_company(seed: int = 1) -> Builder:
    """A plausible small company: 6 customers, 3 vendors, payroll, rent, open items and orders."""
    b = Builder()
    net30 = b.term("30 Days", PaymentTermLine(value="percent", value_amount=100.0, nb_days=30))
    lates = [0, 3, 10, 25, -2, 6]
    customers = [b.partner(f"Customer {i}", term_id=net30) for i in range(6)]
    for i, pid in enumerate(customers):
        b.payer(pid, late=lates[i], count=16, every=23, amount=2000.0 + 500 * i, jitter=2, seed=seed + i)
        b.invoice(pid, AS_OF - dt.timedelta(days=12), 3000.0 + 100 * i, due=AS_OF + dt.timedelta(days=18))
    vendors = [b.partner(f"Vendor {i}", vendor=True, term_id=net30) for i in range(3)]
    for i, pid in enumerate(vendors):
        b.payer(pid, late=1, count=14, every=28, amount=1500.0 + 300 * i, vendor=True, seed=seed + 10 + i)
        b.invoice(pid, AS_OF - dt.timedelta(days=5), 2500.0, due=AS_OF + dt.timedelta(days=25), vendor=True)
    b.flow("620000 Salaries and Wages", -4000.0, day_of_month=15)
    b.flow("620000 Salaries and Wages", -4000.0, day_of_month=31)
    b.flow("630000 Rent", -1500.0, day_of_month=1)
    b.order(customers[0], date_order=AS_OF - dt.timedelta(days=3), expected=AS_OF + dt.timedelta(days=10),
            total=5000.0, term_id=net30)
    return b
