"""Users, groups and access rights of the sandbox, modelled on Odoo's ir.model.access.

Groups imply others (Billing implies Read-only, Adviser implies Billing ...).
A user may do an operation on a model when one of their groups has that right;
otherwise Odoo's AccessError, worded as Odoo words it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.errors import AccessError


@dataclass(frozen=True)
class Group:
    xml_id: str
    name: str
    category: str
    implied: tuple[str, ...] = ()

    @property
    def full_name(self) -> str:
        return f"{self.category} / {self.name}" if self.category else self.name


GROUPS = [
    Group("base.group_user", "Internal User", "User types"),
    Group("base.group_partner_manager", "Contact Creation", "Extra Rights"),
    Group("base.group_erp_manager", "Access Rights", "Administration", ("base.group_user",)),
    Group("base.group_system", "Settings", "Administration", ("base.group_erp_manager",)),
    Group("account.group_account_readonly", "Read-only", "Accounting", ("base.group_user",)),
    Group("account.group_account_invoice", "Billing", "Accounting", ("base.group_user",)),
    Group("account.group_account_user", "Bookkeeper", "Accounting",
          ("account.group_account_invoice", "account.group_account_readonly")),
    Group("account.group_account_manager", "Adviser", "Accounting", ("account.group_account_user",)),
    Group("sales_team.group_sale_salesman", "User: Own Documents Only", "Sales", ("base.group_user",)),
    Group("sales_team.group_sale_salesman_all_leads", "User: All Documents", "Sales",
          ("sales_team.group_sale_salesman",)),
    Group("sales_team.group_sale_manager", "Administrator", "Sales", ("sales_team.group_sale_salesman_all_leads",)),
    Group("purchase.group_purchase_user", "User", "Purchase", ("base.group_user",)),
    Group("purchase.group_purchase_manager", "Administrator", "Purchase", ("purchase.group_purchase_user",)),
    Group("cashflow.group_reader", "Reader", "Cash Flow", ("base.group_user",)),
]
GROUPS_BY_XMLID = {g.xml_id: g for g in GROUPS}

R, RW, RWC, ALL = "r", "rw", "rwc", "rwcu"
_USER = "base.group_user"
_ACC_RO, _BILLING = "account.group_account_readonly", "account.group_account_invoice"
_ADVISER = "account.group_account_manager"
_SALE, _SALE_ADMIN = "sales_team.group_sale_salesman", "sales_team.group_sale_manager"
_PURCHASE, _READER = "purchase.group_purchase_user", "cashflow.group_reader"
_SYSTEM = "base.group_system"

_ACCOUNTING_DOCS = [(_ACC_RO, R), (_BILLING, ALL), (_SALE, R), (_PURCHASE, R), (_READER, R)]
_ACCOUNTING_CONFIG = [(_USER, R), (_ADVISER, ALL)]
_SALES = [(_SALE, ALL), (_BILLING, R), (_ACC_RO, R), (_READER, R)]
_PURCHASES = [(_PURCHASE, ALL), (_BILLING, R), (_ACC_RO, R), (_READER, R)]

ACCESS: dict[str, list[tuple[str, str]]] = {
    "res.company": [(_USER, R), (_SYSTEM, ALL)],
    "res.country": [(_USER, R), (_SYSTEM, ALL)],
    "res.partner": [(_USER, R), ("base.group_partner_manager", ALL), (_BILLING, RWC), (_SALE, RWC)],
    "res.currency": [(_USER, R), (_ADVISER, ALL), (_SYSTEM, ALL)],
    "res.currency.rate": [(_USER, R), (_ADVISER, ALL), (_SYSTEM, ALL)],
    "res.users": [(_USER, R), ("base.group_erp_manager", ALL)],
    "res.groups": [(_USER, R), ("base.group_erp_manager", ALL)],
    "ir.model": [(_USER, R), (_SYSTEM, ALL)],
    "ir.model.data": [(_USER, R), (_SYSTEM, ALL)],
    "ir.model.fields": [(_USER, R), (_SYSTEM, ALL)],
    "ir.module.module": [(_USER, R), (_SYSTEM, ALL)],
    "ir.attachment": [(_USER, ALL)],
    "account.account": [*_ACCOUNTING_CONFIG, (_ACC_RO, R)],
    "account.journal": [*_ACCOUNTING_CONFIG, (_ACC_RO, R)],
    "account.payment.term": _ACCOUNTING_CONFIG,
    "account.payment.term.line": _ACCOUNTING_CONFIG,
    "account.move": _ACCOUNTING_DOCS,
    "account.move.line": _ACCOUNTING_DOCS,
    "account.partial.reconcile": _ACCOUNTING_DOCS,
    "account.full.reconcile": _ACCOUNTING_DOCS,
    "account.payment": _ACCOUNTING_DOCS,
    "account.bank.statement": _ACCOUNTING_DOCS,
    "account.bank.statement.line": _ACCOUNTING_DOCS,
    "sale.order": _SALES,
    "sale.order.line": _SALES,
    "purchase.order": _PURCHASES,
    "purchase.order.line": _PURCHASES,
    "mail.message": [(_USER, ALL)],
    "mail.activity": [(_USER, ALL)],
    "mail.activity.type": [(_USER, R), (_SYSTEM, ALL)],
    "discuss.channel": [(_USER, RWC), (_SYSTEM, ALL)],
    "mail.channel": [(_USER, RWC), (_SYSTEM, ALL)],
    "cash.flow.forecast": [(_ACC_RO, R), (_READER, R), (_BILLING, RWC), (_ADVISER, ALL)],
}

OPERATION_LETTER = {"read": "r", "write": "w", "create": "c", "unlink": "u"}
OPERATION_WORD = {"read": "access", "write": "modify", "create": "create", "unlink": "delete"}


def implied_closure(xml_ids: list[str] | set[str]) -> set[str]:
    """A user's groups plus every group they imply."""
    seen: set[str] = set()
    stack = list(xml_ids)
    while stack:
        gid = stack.pop()
        if gid in seen:
            continue
        seen.add(gid)
        group = GROUPS_BY_XMLID.get(gid)
        if group:
            stack.extend(group.implied)
    return seen


def allowed(user_groups: set[str], model: str, operation: str) -> bool:
    if _SYSTEM in user_groups and model not in ACCESS:
        return True
    letter = OPERATION_LETTER[operation]
    return any(g in user_groups and letter in perms for g, perms in ACCESS.get(model, []))


def check(user_groups: set[str], model: str, description: str, operation: str) -> None:
    """Raise Odoo's AccessError when ``operation`` is not granted on ``model``."""
    if allowed(user_groups, model, operation):
        return
    letter = OPERATION_LETTER[operation]
    granted = [GROUPS_BY_XMLID[g].full_name for g, perms in ACCESS.get(model, []) if letter in perms]
    lines = [f"You are not allowed to {OPERATION_WORD[operation]} '{description}' ({model}) records."]
    if granted:
        lines += ["", "This operation is allowed for the following groups:"]
        lines += [f"\t- {name}" for name in granted]
    else:
        lines += ["", "No group currently allows this operation."]
    lines += ["", "Contact your administrator to request access if necessary."]
    raise AccessError("\n".join(lines))
