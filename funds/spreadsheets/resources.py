"""The three kinds of file (yearly returns, fund balances, scholarships): their columns, and what
a row updates or creates.

The headers are the file format: the template, the export and the import use the same ones, and
they are deliberately not translated, so that a file downloaded with the English interface still
imports. The returns file's figure columns come from funds/catalogue.py; another kind's column is
one Field here (and in `value_fields` when the import writes it).
"""

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from associations.models import sort_key_for
from core.years import MIN_YEAR

from .. import catalogue, services
from ..models import (
    AnnualReturn,
    Fund,
    FundBalance,
    Scholarship,
    ensure_fund_identity_unlocked,
)
from . import persist
from .cells import AmountCell, Cell, CoverageCell, Field, TextCell, YesNoCell, read_back
from .outcomes import Change, RowOutlier
from .rows import KEY_FIELDS, AssociationRowResource, _Row


def figure_columns() -> tuple[Field, ...]:
    """One column per typed figure of the catalogue, headed as the catalogue says."""
    return tuple(
        Field(
            f.name,
            f.header,
            AmountCell(max_value=f.max_value, min_value=f.min_value, money=f.unit == catalogue.MONEY),
            optional=f.optional,
            blank_keeps=False,
        )
        for f in catalogue.figures(column=True)
    )


class AnnualReturnResource(AssociationRowResource):
    # The figures' columns are read from the catalogue whenever the resource is used (all_fields).
    fields = (
        Field("coverage", "Phạm vi số liệu", CoverageCell(), width=16, optional=True),
        Field("notes", "Ghi chú", TextCell(), width=34),
    )

    @classmethod
    def all_fields(cls) -> tuple[Field, ...]:
        return KEY_FIELDS + figure_columns() + cls.fields

    @property
    def value_fields(self) -> tuple[str, ...]:
        return (*catalogue.columns(), "coverage", "notes")

    title = "So lieu nam"
    stem = "so-lieu"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Per valid row (by line): its association and year, its figures, and the stored ones.
        self.figures: dict[int, tuple[int, int, dict, AnnualReturn | None]] = {}
        # Each valid row's return as the file leaves it: last year's for a later row of the file.
        self.in_file: dict[tuple[int, int], AnnualReturn] = {}

    def load_existing(self, node_ids, years):
        # Last year's returns, for the outlier rule: one query whatever the file's length. Not
        # locked, as the entry form does not lock them either.
        previous = AnnualReturn.objects.filter(
            association_id__in=node_ids, year__in={year - 1 for year in years}
        ).order_by()
        self.previous = {(r.association_id, r.year): r for r in previous}

    def read_values(self, state, instance):
        values = super().read_values(state, instance)
        if not state.issues and state.association is not None:
            # The rules the entry form's full_clean applies, on the return as the row leaves it.
            after = {name: values.get(name, getattr(instance, name)) for name in catalogue.columns()}
            for name, message in catalogue.consistency_errors(after).items():
                state.issue(self.column(name), message)
        return values

    def check_values(self, state, instance, values):
        stored = None
        if state.instance is not None:
            # A copy of the stored figures: a figure stored already was confirmed once.
            stored = AnnualReturn(**{name: getattr(state.instance, name) for name in catalogue.columns()})
        self.figures[state.line] = (state.association.pk, state.year, values, stored)
        self.in_file[(state.association.pk, state.year)] = instance

    def finish(self):
        for outcome in self.outcomes:
            if outcome.line not in self.figures:
                continue
            association_id, year, values, stored = self.figures[outcome.line]
            key = (association_id, year - 1)
            # A file of two years compares a year with the previous one as the file leaves it.
            previous = self.in_file.get(key) or self.previous.get(key)
            found = services.figure_outliers(previous=previous, current=stored, figures=values)
            outcome.outliers = [
                RowOutlier(
                    line=outcome.line,
                    code=outcome.code,
                    tier=outcome.tier,
                    name=outcome.name,
                    year=outcome.year,
                    column=self.column(o.field),
                    previous=o.previous,
                    value=o.value,
                )
                for o in found
            ]

    def find_existing(self, state):
        annual_return = self.returns.get((state.association.pk, state.year))
        if annual_return is not None:
            annual_return.association = state.association  # already loaded: no query to name it
        return annual_return

    def new_instance(self, state):
        return AnnualReturn(association=state.association, year=state.year or MIN_YEAR)

    def before_save(self, state, instance):
        if instance.pk is not None:
            instance.version += 1

    def write(self) -> None:
        persist.write_returns(user=self.user, created=self.create_instances, updated=self.update_instances)


def _kind_label(kind: str) -> str:
    with translation.override("vi"):
        return str(Fund.Kind(kind).label)


class FundKindCell(Cell):
    """A fund's kind by its Vietnamese name ("Quỹ dòng họ"); None when left blank."""

    def __init__(self):
        self.kinds = {}
        with translation.override("vi"):
            for kind in Fund.Kind:
                self.kinds[sort_key_for(str(kind.label))] = kind.value
                self.kinds[kind.value] = kind.value

    def read(self, value) -> str | None:
        text = TextCell().read(value)
        if not text:
            return None
        kind = self.kinds.get(sort_key_for(text))
        if kind is None:
            raise ValueError(
                _("Loại quỹ “%(value)s” không hợp lệ; ghi một trong: %(choices)s.")
                % {"value": text, "choices": ", ".join(_kind_label(k) for k in Fund.Kind)}
            )
        return kind

    def write(self, value):
        return _kind_label(value)


class FundBalanceResource(AssociationRowResource):
    fields = (
        Field("fund_name", "Tên quỹ", TextCell(max_length=200), width=34),
        Field("fund_kind", "Loại quỹ", FundKindCell(), width=20),
        Field("balance", "Số dư cuối năm", AmountCell()),
    )
    extra_keys = ("fund_name",)
    value_fields = ("balance",)
    title = "So du quy"
    stem = "so-du-quy"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.new_funds: dict[tuple[int, str], Fund] = {}
        self.changed_funds: dict[int, Fund] = {}

    def association_of(self, obj):
        return obj.fund.association

    def export_value(self, obj, name):
        if name == "fund_name":
            return obj.fund.name
        if name == "fund_kind":
            return obj.fund.kind
        return super().export_value(obj, name)

    def duplicate_message(self, first):
        return _("Trùng với hàng %(row)s: cùng hội, năm và tên quỹ.") % {"row": first}

    def load_existing(self, node_ids, years):
        funds = Fund.objects.filter(association_id__in=node_ids)
        # Keyed as the file gives names back, so that an exported file names the same funds.
        self.funds = {(f.association_id, read_back(f.name).casefold()): f for f in funds}
        balances = FundBalance.objects.filter(fund__association_id__in=node_ids, year__in=years)
        self.balances = {(b.fund_id, b.year): b for b in balances}

    def _fund_for(self, state: _Row) -> Fund:
        key = (state.association.pk, state.extra[0])
        fund = self.funds.get(key) or self.new_funds.get(key)
        if fund is None:
            name = self.read("fund_name", state.cells)
            fund = self.new_funds[key] = Fund(association=state.association, name=name, kind=Fund.Kind.NAMED)
        return fund

    def find_existing(self, state):
        fund = self.funds.get((state.association.pk, state.extra[0]))
        balance = self.balances.get((fund.pk, state.year)) if fund else None
        if balance is not None:
            balance.fund = fund  # so that a change of kind is made on the one Fund object
        return balance

    def new_instance(self, state):
        if state.association is None:
            return FundBalance(year=state.year or MIN_YEAR)
        return FundBalance(fund=self._fund_for(state), year=state.year)

    def extra_changes(self, instance, state):
        try:
            kind = self.read("fund_kind", state.cells)
        except ValueError as exc:
            state.issue(self.column("fund_kind"), str(exc))
            return []
        if state.issues or state.association is None or kind is None:
            return []
        fund = instance.fund
        if fund.pk is None:
            fund.kind = kind
            return []
        if fund.kind == kind:
            return []
        try:
            ensure_fund_identity_unlocked(fund, name=fund.name, kind=kind)
        except ValidationError as exc:
            state.issue(self.column("fund_kind"), " ".join(exc.messages))
            return []
        change = Change(self.column("fund_kind"), _kind_label(fund.kind), _kind_label(kind))
        fund.kind = kind
        self.changed_funds[fund.pk] = fund
        return [change]

    def row_label(self, state):
        return TextCell().read(state.cells.get(self.column("fund_name")))

    def write(self):
        # As in the entry form, a row names the fund for its year, with or without a figure.
        persist.write_fund_balances(
            user=self.user,
            created=self.create_instances,
            updated=self.update_instances,
            deleted=[],
            changed_funds=list(self.changed_funds.values()),
            touched_returns=list(self.touched_returns.values()),
            new_returns=list(self.new_returns.values()),
        )


class ScholarshipResource(AssociationRowResource):
    fields = (
        Field("programme", "Chương trình học bổng", TextCell(max_length=200), width=34),
        Field("donor", "Nhà tài trợ", TextCell(max_length=200), width=24),
        Field("awards", "Số suất", AmountCell(max_value=10_000_000, money=False)),
        Field("total_value", "Tổng giá trị", AmountCell()),
        Field("in_kind", "Bằng hiện vật", YesNoCell()),
        Field("abroad", "Ở nước ngoài", YesNoCell()),
    )
    extra_keys = ("programme",)
    value_fields = ("donor", "awards", "total_value", "in_kind", "abroad")
    create_blank = True
    title = "Hoc bong"
    stem = "hoc-bong"

    def duplicate_message(self, first):
        return _("Trùng với hàng %(row)s: cùng hội, năm và chương trình học bổng.") % {"row": first}

    def load_existing(self, node_ids, years):
        rows = Scholarship.objects.filter(association_id__in=node_ids, year__in=years)
        self.scholarships = {(s.association_id, s.year, read_back(s.programme).casefold()): s for s in rows}

    def find_existing(self, state):
        scholarship = self.scholarships.get((state.association.pk, state.year, state.extra[0]))
        if scholarship is not None:
            scholarship.association = state.association
        return scholarship

    def new_instance(self, state):
        if state.association is None:
            return Scholarship(year=state.year or MIN_YEAR)
        programme = self.read("programme", state.cells)
        return Scholarship(association=state.association, year=state.year or MIN_YEAR, programme=programme)

    def row_label(self, state):
        return TextCell().read(state.cells.get(self.column("programme")))

    def write(self):
        persist.write_scholarships(
            user=self.user,
            created=self.create_instances,
            updated=self.update_instances,
            fields=list(self.value_fields),
            touched_returns=list(self.touched_returns.values()),
            new_returns=list(self.new_returns.values()),
        )


RESOURCES: dict[str, type[AssociationRowResource]] = {
    "returns": AnnualReturnResource,
    "funds": FundBalanceResource,
    "scholarships": ScholarshipResource,
}
