"""Model and field definitions of the sandbox, as a real Odoo declares them.

A :class:`Field` carries what ``fields_get`` reports (string, type, relation,
selection, required, readonly, store) plus what the sandbox needs to behave like
Odoo: where the value lives (a column, a related path, a compute), how an
x2many is linked, and which Odoo versions have the field.

The concrete models live in :mod:`sandbox.models`; :func:`build_registry` picks
the ones a given Odoo version and set of installed modules would have.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

Selection_ = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Field:
    """One field of a model."""

    name: str
    string: str
    type: str
    relation: str | None = None
    selection: Selection_ | None = None
    required: bool = False
    readonly: bool = False
    store: bool = True
    """What ``fields_get`` reports; a company-dependent field says False yet has a column."""
    column: bool | None = None
    """Whether the value is a column of the model's table (defaults to ``store``)."""
    related: str | None = None
    """Dotted path the value is read and searched through (``move_id.date``)."""
    inverse_name: str | None = None
    """For a one2many: the many2one on the comodel pointing back."""
    extra_domain: tuple[Any, ...] = ()
    """For a one2many: a filter on the comodel (``invoice_line_ids`` keeps product lines)."""
    relation_table: str | None = None
    column1: str | None = None
    column2: str | None = None
    compute: str | None = None
    """Name of a compute in :mod:`sandbox.computes` for non-stored values."""
    searchable: bool | None = None
    default: Any = None
    index: bool = False
    aggregator: str | None = None
    since: int | None = None
    until: int | None = None
    model_field: str | None = None
    """For a many2one_reference: the char field holding the model name."""
    link_sql: str | None = None
    """For a computed many2many: SQL selecting (``column1``, ``column2``) pairs, so that it can be searched."""

    @property
    def has_column(self) -> bool:
        if self.type in ("one2many", "many2many"):
            return False
        return self.store if self.column is None else self.column

    @property
    def is_searchable(self) -> bool:
        if self.searchable is not None:
            return self.searchable
        return self.has_column or self.related is not None or self.type in ("one2many", "many2many")

    @property
    def group_operator(self) -> str | None:
        if self.aggregator:
            return self.aggregator
        if self.type in ("integer", "float", "monetary") and self.name not in ("id", "sequence"):
            return "sum"
        return None

    def exists_in(self, version: int) -> bool:
        return (self.since is None or version >= self.since) and (self.until is None or version <= self.until)

    def describe(self, attributes: Iterable[str] | None = None) -> dict[str, Any]:
        """The ``fields_get`` description of this field."""
        info: dict[str, Any] = {
            "string": self.string,
            "type": self.type,
            "required": self.required,
            "readonly": self.readonly,
            "store": self.store,
            "searchable": self.is_searchable,
            "sortable": self.has_column,
            "help": "",
        }
        if self.relation:
            info["relation"] = self.relation
        if self.type == "selection":
            info["selection"] = [list(pair) for pair in (self.selection or ())]
        if self.type == "one2many" and self.inverse_name:
            info["relation_field"] = self.inverse_name
        if self.type == "monetary":
            info["currency_field"] = "currency_id"
        if self.group_operator:
            info["group_operator"] = self.group_operator
        if attributes:
            wanted = set(attributes)
            info = {k: v for k, v in info.items() if k in wanted}
        return info


def _make(ftype: str):
    def build(name: str, string: str, *args: Any, **kwargs: Any) -> Field:
        if ftype in ("many2one", "one2many", "many2many") and args:
            kwargs["relation"] = args[0]
            if ftype == "one2many" and len(args) > 1:
                kwargs["inverse_name"] = args[1]
        elif ftype == "selection" and args:
            kwargs["selection"] = tuple(tuple(p) for p in args[0])
        return Field(name=name, string=string, type=ftype, **kwargs)

    build.__name__ = ftype.title()
    return build


Char = _make("char")
Text = _make("text")
Html = _make("html")
Integer = _make("integer")
Float = _make("float")
Monetary = _make("monetary")
Boolean = _make("boolean")
Date = _make("date")
Datetime = _make("datetime")
Selection = _make("selection")
Many2one = _make("many2one")
One2many = _make("one2many")
Many2many = _make("many2many")
Binary = _make("binary")
Json = _make("json")
Many2oneReference = _make("many2one_reference")


def chatter_fields(model: str) -> list[Field]:
    """``activity_ids`` and ``message_ids`` of a ``mail.thread`` model (linked by res_model/model + res_id)."""
    return [
        One2many("activity_ids", "Activities", "mail.activity", "res_id", extra_domain=(("res_model", "=", model),)),
        One2many("message_ids", "Messages", "mail.message", "res_id", extra_domain=(("model", "=", model),)),
    ]


@dataclass
class ModelSpec:
    """One model: its name, label, fields and how its records are named and ordered."""

    name: str
    description: str
    fields: list[Field]
    module: str = "base"
    order: str = "id"
    rec_name: str | None = "name"
    display_sql: str | None = None
    """SQL expression (columns of alias ``t``) giving the display name; rec_name otherwise."""
    rec_names_search: tuple[str, ...] = ()
    """``_rec_names_search``: the fields a name search (and a ``display_name`` leaf) looks into."""
    inherits: dict[str, str] = field(default_factory=dict)
    """``_inherits``: parent model -> many2one field (account.payment -> account.move)."""
    mail_thread: bool = False
    since: int | None = None
    until: int | None = None
    transient: bool = False

    @property
    def table(self) -> str:
        return self.name.replace(".", "_")

    def exists_in(self, version: int) -> bool:
        return (self.since is None or version >= self.since) and (self.until is None or version <= self.until)


AUTO_FIELDS = (
    Integer("id", "ID", readonly=True),
    Char("display_name", "Display Name", readonly=True, store=False, compute="display_name", searchable=True),
    Datetime("create_date", "Created on", readonly=True),
    Many2one("create_uid", "Created by", "res.users", readonly=True),
    Datetime("write_date", "Last Updated on", readonly=True),
    Many2one("write_uid", "Last Updated by", "res.users", readonly=True),
)


@dataclass
class Model:
    """A model as one server presents it: the spec with the fields of its version."""

    spec: ModelSpec
    fields: dict[str, Field]

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def table(self) -> str:
        return self.spec.table

    @property
    def columns(self) -> list[Field]:
        return [f for f in self.fields.values() if f.has_column]

    def field(self, name: str) -> Field | None:
        return self.fields.get(name)


@dataclass
class Registry:
    """All models a server exposes, for one Odoo version and set of modules."""

    version: int
    modules: frozenset[str]
    models: dict[str, Model]

    def __contains__(self, name: object) -> bool:
        return name in self.models

    def __getitem__(self, name: str) -> Model:
        return self.models[name]

    def many2many_tables(self) -> dict[str, tuple[str, str]]:
        tables: dict[str, tuple[str, str]] = {}
        for model in self.models.values():
            for f in model.fields.values():
                if f.type == "many2many" and f.relation_table and f.compute is None:
                    tables[f.relation_table] = (f.column1 or "", f.column2 or "")
        return tables


def default_m2m(model: str, f: Field) -> Field:
    """Fill in Odoo's default relation table and columns for a stored many2many."""
    if f.type != "many2many" or f.compute or f.relation_table or not f.relation:
        return f
    t1, t2 = model.replace(".", "_"), f.relation.replace(".", "_")
    return replace(f, relation_table=f"{min(t1, t2)}_{max(t1, t2)}_rel", column1=f"{t1}_id", column2=f"{t2}_id")


def build_registry(specs: Iterable[ModelSpec], version: int, modules: Iterable[str]) -> Registry:
    installed = frozenset(modules)
    models: dict[str, Model] = {}
    for spec in specs:
        if spec.module not in installed or not spec.exists_in(version):
            continue
        fields: dict[str, Field] = {}
        for f in (*AUTO_FIELDS, *spec.fields):
            if not f.exists_in(version):
                continue
            fields[f.name] = default_m2m(spec.name, f)
        models[spec.name] = Model(spec=spec, fields=fields)
    # drop relational fields pointing to models this server does not have
    for model in models.values():
        for name, f in list(model.fields.items()):
            if f.relation and f.relation not in models:
                del model.fields[name]
    return Registry(version=version, modules=installed, models=models)
