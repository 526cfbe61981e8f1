"""The three kinds of file (yearly returns, fund balances, scholarships) and their columns.

The headers are the file format: the template, the export and the import use the same ones, and
they are deliberately not translated, so that a file downloaded with the English interface still
imports.
"""

from django.utils import translation
from django.utils.translation import gettext as _
from import_export import widgets
from import_export.fields import Field

from associations.models import sort_key_for
from core.years import MIN_YEAR

from ..models import MAX_POPULATION, AnnualReturn, Fund, FundBalance, Scholarship
from . import persist
from .cells import AmountWidget, TextWidget, YesNoWidget, neutralise
from .rows import AssociationRowResource, Change, _Row


class AnnualReturnResource(AssociationRowResource):
    population = Field(
        attribute="population",
        column_name="Dân số",
        widget=AmountWidget(max_value=MAX_POPULATION, min_value=1),
    )
    mobilised_cash = Field(
        attribute="mobilised_cash", column_name="Vận động bằng tiền", widget=AmountWidget()
    )
    mobilised_in_kind = Field(
        attribute="mobilised_in_kind", column_name="Vận động bằng hiện vật", widget=AmountWidget()
    )
    fund_balance = Field(attribute="fund_balance", column_name="Số dư quỹ cuối năm", widget=AmountWidget())
    awards_paid = Field(
        attribute="awards_paid", column_name="Khen thưởng, hỗ trợ đã chi", widget=AmountWidget()
    )
    facilities = Field(attribute="facilities", column_name="Cơ sở vật chất", widget=AmountWidget())
    notes = Field(attribute="notes", column_name="Ghi chú", widget=TextWidget())

    value_fields = (*AnnualReturn.FIGURE_FIELDS, "notes")
    title = "So lieu nam"

    class Meta:
        model = AnnualReturn
        fields = ("code", "tier", "name", "year", *AnnualReturn.FIGURE_FIELDS, "notes")
        export_order = fields
        import_order = fields
        import_id_fields = ("code", "tier", "year")

    def find_existing(self, state):
        annual_return = self.returns.get((state.association.pk, state.year))
        if annual_return is not None:
            annual_return.association = state.association  # str() of the row result needs it
        return annual_return

    def new_instance(self, state):
        return AnnualReturn(association=state.association, year=state.year or MIN_YEAR)

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is not None:
            instance.version += 1

    def write(self) -> None:
        persist.write_returns(user=self.user, created=self.create_instances, updated=self.update_instances)


class FundBalanceResource(AssociationRowResource):
    fund_name = Field(
        attribute="fund__name", column_name="Tên quỹ", widget=TextWidget(max_length=200), readonly=True
    )
    fund_kind = Field(column_name="Loại quỹ", widget=widgets.Widget(), readonly=True)
    balance = Field(attribute="balance", column_name="Số dư cuối năm", widget=AmountWidget())

    extra_keys = ("fund_name",)
    value_fields = ("balance",)
    title = "So du quy"

    class Meta:
        model = FundBalance
        fields = ("code", "tier", "name", "year", "fund_name", "fund_kind", "balance")
        export_order = fields
        import_order = fields
        import_id_fields = ("code", "tier", "year", "fund_name")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.kinds = {}
        with translation.override("vi"):
            for kind in Fund.Kind:
                self.kinds[sort_key_for(str(kind.label))] = kind.value
                self.kinds[kind.value] = kind.value
        self.new_funds: dict[tuple[int, str], Fund] = {}
        self.changed_funds: dict[int, Fund] = {}

    def association_of(self, obj):
        return obj.fund.association

    def dehydrate_fund_name(self, obj):
        return neutralise(obj.fund.name)

    def dehydrate_fund_kind(self, obj):
        with translation.override("vi"):
            return str(Fund.Kind(obj.fund.kind).label)

    def duplicate_message(self, first):
        return _("Trùng với hàng %(row)s: cùng hội, năm và tên quỹ.") % {"row": first}

    def load_existing(self, node_ids, years):
        self.funds = {
            (f.association_id, f.name.casefold()): f for f in Fund.objects.filter(association_id__in=node_ids)
        }
        balances = FundBalance.objects.filter(fund__association_id__in=node_ids, year__in=years)
        self.balances = {(b.fund_id, b.year): b for b in balances}

    def _fund_for(self, state: _Row) -> Fund:
        key = (state.association.pk, state.extra[0])
        fund = self.funds.get(key) or self.new_funds.get(key)
        if fund is None:
            name = self.fields["fund_name"].widget.clean(state.cells.get(self.column("fund_name")))
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

    def extra_changes(self, instance, state, row):
        kind_text = TextWidget().clean(row.get(self.column("fund_kind")))
        kind = self.kinds.get(sort_key_for(kind_text)) if kind_text else None
        if kind_text and kind is None:
            with translation.override("vi"):
                choices = ", ".join(str(k.label) for k in Fund.Kind)
            state.issue(
                self.column("fund_kind"),
                _("Loại quỹ “%(value)s” không hợp lệ; ghi một trong: %(choices)s.")
                % {"value": kind_text, "choices": choices},
            )
        if state.issues or state.association is None or kind is None:
            return []
        fund = instance.fund
        if fund.pk is None:
            fund.kind = kind
            return []
        if fund.kind == kind:
            return []
        change = Change(self.column("fund_kind"), _kind_label(fund.kind), _kind_label(kind))
        fund.kind = kind
        self.changed_funds[fund.pk] = fund
        return [change]

    def row_label(self, row):
        return TextWidget().clean(row.get(self.column("fund_name")))

    def write(self):
        persist.write_fund_balances(
            user=self.user,
            created=self.create_instances,
            updated=self.update_instances,
            changed_funds=list(self.changed_funds.values()),
            touched_returns=list(self.touched_returns.values()),
        )


def _kind_label(kind: str) -> str:
    with translation.override("vi"):
        return str(Fund.Kind(kind).label)


class ScholarshipResource(AssociationRowResource):
    programme = Field(
        attribute="programme",
        column_name="Chương trình học bổng",
        widget=TextWidget(max_length=200),
        readonly=True,
    )
    donor = Field(attribute="donor", column_name="Nhà tài trợ", widget=TextWidget(max_length=200))
    awards = Field(attribute="awards", column_name="Số suất", widget=AmountWidget(max_value=10_000_000))
    total_value = Field(attribute="total_value", column_name="Tổng giá trị", widget=AmountWidget())
    in_kind = Field(attribute="in_kind", column_name="Bằng hiện vật", widget=YesNoWidget())
    abroad = Field(attribute="abroad", column_name="Ở nước ngoài", widget=YesNoWidget())

    extra_keys = ("programme",)
    value_fields = ("donor", "awards", "total_value", "in_kind", "abroad")
    create_blank = True
    title = "Hoc bong"

    class Meta:
        model = Scholarship
        fields = (
            "code",
            "tier",
            "name",
            "year",
            "programme",
            "donor",
            "awards",
            "total_value",
            "in_kind",
            "abroad",
        )
        export_order = fields
        import_order = fields
        import_id_fields = ("code", "tier", "year", "programme")

    def duplicate_message(self, first):
        return _("Trùng với hàng %(row)s: cùng hội, năm và chương trình học bổng.") % {"row": first}

    def load_existing(self, node_ids, years):
        rows = Scholarship.objects.filter(association_id__in=node_ids, year__in=years)
        self.scholarships = {(s.association_id, s.year, s.programme.casefold()): s for s in rows}

    def find_existing(self, state):
        scholarship = self.scholarships.get((state.association.pk, state.year, state.extra[0]))
        if scholarship is not None:
            scholarship.association = state.association
        return scholarship

    def new_instance(self, state):
        if state.association is None:
            return Scholarship(year=state.year or MIN_YEAR)
        programme = self.fields["programme"].widget.clean(state.cells.get(self.column("programme")))
        return Scholarship(association=state.association, year=state.year or MIN_YEAR, programme=programme)

    def row_label(self, row):
        return TextWidget().clean(row.get(self.column("programme")))

    def write(self):
        persist.write_scholarships(
            user=self.user,
            created=self.create_instances,
            updated=self.update_instances,
            fields=list(self.value_fields),
            touched_returns=list(self.touched_returns.values()),
        )


RESOURCES: dict[str, type[AssociationRowResource]] = {
    "returns": AnnualReturnResource,
    "funds": FundBalanceResource,
    "scholarships": ScholarshipResource,
}
