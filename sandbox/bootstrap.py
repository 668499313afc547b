"""Technical records every Odoo database has: users, groups, models, modules, activity types, channels.

The demo credentials are fixed and documented (README): database ``demo``;
logins ``admin``/``admin`` (everything), ``cashbot``/``cashbot`` (least-privilege
integration user: reads accounting, sales and purchase, writes nothing there),
``controller``/``controller`` (Accounting / Adviser: may approve actions) and
``billing``/``billing`` (Accounting / Billing: may write invoices, may not approve);
JSON-2 API keys ``<login>-api-key``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.demo.loader import Loader
from sandbox.models import MODULES
from sandbox.rights import GROUPS
from sandbox.store import Store


@dataclass(frozen=True)
class DemoUser:
    uid: int
    login: str
    name: str
    groups: tuple[str, ...]
    email: str

    @property
    def password(self) -> str:
        return self.login

    @property
    def api_key(self) -> str:
        return f"{self.login}-api-key"


ALL_GROUPS = tuple(g.xml_id for g in GROUPS)
USERS = (
    DemoUser(2, "admin", "Mitchell Admin", ALL_GROUPS, "admin@bluebird.example"),
    DemoUser(6, "cashbot", "Cash Flow Bot", ("base.group_user", "account.group_account_readonly",
                                              "cashflow.group_reader"), "cashbot@bluebird.example"),
    DemoUser(7, "controller", "Clara Controller", ("base.group_user", "account.group_account_manager",
                                                    "sales_team.group_sale_salesman", "purchase.group_purchase_user"),
             "clara@bluebird.example"),
    DemoUser(8, "billing", "Bill Clerk", ("base.group_user", "account.group_account_invoice"),
             "bill@bluebird.example"),
)
ACTIVITY_TYPES = (
    ("mail_activity_data_email", "Email", "fa-envelope", "default"),
    ("mail_activity_data_call", "Call", "fa-phone", "phonecall"),
    ("mail_activity_data_meeting", "Meeting", "fa-users", "default"),
    ("mail_activity_data_todo", "To-Do", "fa-tasks", "default"),
)


def bootstrap(store: Store, loader: Loader | None = None, company_ids: tuple[int, ...] = (1, 2)) -> None:
    """Add the technical records after the demo company exists (company 1 and maybe 2)."""
    loader = loader or Loader(store)
    reg = store.registry
    companies = [c for c in company_ids if store.execute("SELECT 1 FROM res_company WHERE id = ?", (c,)).fetchone()]
    xmlids: list[tuple[str, str, str, int]] = []
    group_ids: dict[str, int] = {}
    for group in GROUPS:
        gid = loader.add("res.groups", {"name": group.name, "full_name": group.full_name})
        group_ids[group.xml_id] = gid
        module, name = group.xml_id.split(".")
        xmlids.append((module, name, "res.groups", gid))
    max_partner = store.execute("SELECT COALESCE(MAX(id), 0) FROM res_partner").fetchone()[0]
    for offset, user in enumerate(USERS, start=1):
        partner = loader.add("res.partner", {
            "name": user.name, "complete_name": user.name, "email": user.email, "active": True,
            "commercial_partner_id": max_partner + offset, "type": "contact",
        }, rid=max_partner + offset)
        loader.add("res.users", {
            "login": user.login, "partner_id": partner, "company_id": 1, "active": True, "share": False,
        }, rid=user.uid)
        loader.link("res.users", "groups_id" if reg.version <= 18 else "group_ids", user.uid,
                    [group_ids[g] for g in user.groups])
        loader.link("res.users", "company_ids", user.uid, companies)
    for name, label, icon, category in ACTIVITY_TYPES:
        tid = loader.add("mail.activity.type", {"name": label, "icon": icon, "category": category,
                                                "delay_unit": "days", "active": True})
        xmlids.append(("mail", name, "mail.activity.type", tid))
    channel = "discuss.channel" if "discuss.channel" in reg else "mail.channel"
    loader.add(channel, {"name": "general", "channel_type": "channel", "active": True,
                         "uuid": "00000000-0000-4000-8000-000000000001", "description": "General announcements"})
    loader.add(channel, {"name": "finance", "channel_type": "channel", "active": True,
                         "uuid": "00000000-0000-4000-8000-000000000002", "description": "Cash, invoices and payments"})
    for model in reg.models.values():
        model_id = loader.add("ir.model", {
            "name": model.spec.description, "model": model.name, "state": "base", "transient": False,
            "is_mail_thread": model.spec.mail_thread, "is_mail_activity": model.spec.mail_thread,
            "modules": model.spec.module,
        })
        for f in model.fields.values():
            loader.add("ir.model.fields", {
                "name": f.name, "model": model.name, "model_id": model_id, "field_description": f.string,
                "ttype": f.type, "relation": f.relation, "relation_field": f.inverse_name, "store": f.store,
                "required": f.required, "readonly": f.readonly, "state": "base",
            })
    for seq, (module, label) in enumerate(sorted(MODULES.items())):
        state = "installed" if module in reg.modules else "uninstalled"
        loader.add("ir.module.module", {
            "name": module, "shortdesc": label, "state": state, "latest_version": f"{reg.version}.0.1.0",
            "application": module in ("account", "sale_management", "purchase", "mail"), "sequence": seq,
            "author": "Odoo S.A.",
        })
    for module, name, model_name, res_id in xmlids:
        loader.add("ir.model.data", {"module": module, "name": name, "model": model_name, "res_id": res_id})
    loader.flush()
    with store.transaction():
        store.execute("CREATE TABLE IF NOT EXISTS sandbox_credentials (uid INTEGER PRIMARY KEY, password TEXT, "
                      "api_key TEXT)")
        store.conn.executemany("INSERT OR REPLACE INTO sandbox_credentials VALUES (?, ?, ?)",
                               [(u.uid, u.password, u.api_key) for u in USERS])
