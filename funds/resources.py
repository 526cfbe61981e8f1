"""Spreadsheet rows of the yearly figures, as django-import-export Resources.

A row names its association by code, tier and year (codes were reused after the 2025 reform); the
name is there for people and is never read back. The headers are the file format: the template,
the export and the import use the same ones, and they are deliberately not translated, so that a
file downloaded with the English interface still imports.

Importing goes through `Resource.import_data(..., use_bulk=True)`: the library walks the rows,
our hooks resolve and check them against lookups loaded once per file (a fixed number of queries
whatever its length), and the instances it collects for bulk creation and update are written by
`write()`, with their history, only once the whole file has passed (see funds/imports.py).
"""

import csv
import datetime
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.db import connection
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.fields import Field
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from associations.models import Association, Perm, Tier, sort_key_for
from core.numbers import grouped
from core.years import MAX_YEAR, MIN_YEAR

from .forms import AmountField
from .models import MAX_POPULATION, AnnualReturn, Fund, FundBalance, Scholarship

CODE, TIER, NAME, YEAR = "Mã", "Cấp", "Tên hội", "Năm"

# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Administrative codes have a fixed width; a code typed as a number in Excel loses its zeros.
CODE_WIDTH = {Tier.PROVINCE: 2, Tier.DISTRICT: 3, Tier.COMMUNE: 5}
WRITE_BATCH = 500


def neutralise(text: str) -> str:
    """Prefix a quote to text a spreadsheet would otherwise run as a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def is_formula(value) -> bool:
    """A cell read with openpyxl's data_only=False holds a formula as text beginning with '='."""
    if isinstance(value, str):
        return value.lstrip().startswith("=")
    # Array and data-table formulas come back as objects rather than text.
    return value is not None and not isinstance(
        value, str | int | float | Decimal | bool | datetime.date | datetime.time | datetime.timedelta
    )


def tier_label(tier: str) -> str:
    """The Vietnamese name of a tier, as written in the files whatever the interface language."""
    with translation.override("vi"):
        return str(Tier(tier).label)


def _tier_aliases() -> dict[str, str]:
    aliases = {}
    for tier in Tier:
        names = [tier.value, tier_label(tier)]
        with translation.override("en"):
            names.append(str(tier.label))
        for name in names:
            aliases[sort_key_for(name)] = tier.value
            for part in name.split("/"):
                aliases.setdefault(sort_key_for(part.strip()), tier.value)
    return aliases


class TextWidget(widgets.Widget):
    """Text cells: stripped on import; neutralised on export so that they cannot run as formulas."""

    def __init__(self, max_length: int | None = None):
        super().__init__()
        self.max_length = max_length

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        # Undo our own neutralising, so that an exported file imports back unchanged.
        if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS):
            text = text[1:]
        if self.max_length is not None and len(text) > self.max_length:
            raise ValueError(
                _("Dài quá %(max)s ký tự (hiện có %(length)s).")
                % {"max": self.max_length, "length": len(text)}
            )
        return text

    def render(self, value, obj=None, **kwargs):
        return neutralise(str(value)) if value else ""


class AmountWidget(widgets.Widget):
    """A whole number checked by the browser form's own field, so both paths give the same messages."""

    def __init__(self, **field_kwargs):
        super().__init__(coerce_to_string=False)
        self.field = AmountField(**field_kwargs)

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, str) and not value.strip():
            value = None
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, bool | float | Decimal | datetime.date | datetime.time | datetime.timedelta):
            value = str(value)  # AmountField refuses it with its "not a whole number" message
        try:
            return self.field.clean(value)
        except forms.ValidationError as exc:
            raise ValueError(exc.messages[0]) from None

    def render(self, value, obj=None, **kwargs):
        return value


class YearWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip() if value is not None else ""
        if not text:
            raise ValueError(_("Thiếu năm."))
        if not text.isdigit() or not MIN_YEAR <= int(text) <= MAX_YEAR:
            raise ValueError(
                _("“%(value)s” không phải là năm hợp lệ (từ %(min)s đến %(max)s).")
                % {"value": text, "min": MIN_YEAR, "max": MAX_YEAR}
            )
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return value


class TierWidget(widgets.Widget):
    """A tier written as its Vietnamese name ("Huyện/quận"); "huyen", "Huyện" or "district" also work."""

    def __init__(self):
        super().__init__()
        self.aliases = _tier_aliases()

    def clean(self, value, row=None, **kwargs):
        text = str(value).strip() if value is not None else ""
        if not text:
            raise ValueError(_("Thiếu cấp hội."))
        tier = self.aliases.get(sort_key_for(" ".join(text.split())))
        if tier is None:
            raise ValueError(
                _("Cấp “%(value)s” không hợp lệ; ghi một trong: %(choices)s.")
                % {"value": text, "choices": ", ".join(tier_label(t) for t in Tier)}
            )
        return tier

    def render(self, value, obj=None, **kwargs):
        return tier_label(value) if value else ""


class YesNoWidget(widgets.Widget):
    TRUE = {"co", "x", "yes", "true", "1", "dung"}
    FALSE = {"khong", "no", "false", "0", "sai", ""}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        text = sort_key_for(str(value).strip()) if value is not None else ""
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("Ghi “Có” hoặc “Không” (hoặc để trống)."))

    def render(self, value, obj=None, **kwargs):
        return _yes_no(value)


def _yes_no(value: bool) -> str:
    with translation.override("vi"):
        return _("Có") if value else _("Không")


def _show(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, int):
        return grouped(value)
    return str(value)


@dataclass
class Change:
    column: str
    old: object
    new: object

    @property
    def old_text(self) -> str:
        return _show(self.old)

    @property
    def new_text(self) -> str:
        return _show(self.new)


@dataclass
class RowOutcome:
    """One valid row of a preview: new, changed or unchanged, with its changes (old → new)."""

    line: int
    code: str
    tier: str
    name: str
    year: int
    label: str
    status: str
    changes: list[Change] = field(default_factory=list)


@dataclass
class RowIssue:
    """Why a row (or the file, when `line` is None) cannot be imported."""

    line: int | None
    column: str
    message: str


@dataclass
class _Row:
    line: int
    cells: dict
    issues: list[RowIssue] = field(default_factory=list)
    key: tuple | None = None
    association: Association | None = None
    year: int | None = None
    extra: tuple = ()
    instance: object | None = None
    changes: list[Change] = field(default_factory=list)

    def issue(self, column: str, message: str) -> None:
        self.issues.append(RowIssue(self.line, column, message))


STATUS_NEW, STATUS_CHANGED, STATUS_UNCHANGED = "new", "changed", "unchanged"


class AssociationRowResource(resources.ModelResource):
    """Rows keyed by an association's code, tier and year; subclasses add their own columns."""

    code = Field(column_name=CODE, widget=TextWidget(), readonly=True)
    tier = Field(column_name=TIER, widget=TierWidget(), readonly=True)
    name = Field(column_name=NAME, widget=TextWidget(), readonly=True)
    year = Field(attribute="year", column_name=YEAR, widget=YearWidget(), readonly=True)

    # Resource field names that, with code, tier and year, identify a row (a fund, a programme).
    extra_keys: tuple[str, ...] = ()
    # Resource field names whose cells are written to the instance.
    value_fields: tuple[str, ...] = ()
    # Whether a new row with every value blank still creates something (a named programme does;
    # a template row left blank does not).
    create_blank = False
    title = ""

    class Meta:
        # Inherited by each subclass's Meta (django-import-export merges the bases' options).
        abstract = True
        use_bulk = True
        batch_size = None
        skip_diff = True
        report_skipped = True
        clean_model_instances = False
        use_transactions = True

    def __init__(self, *, user=None, lines: list[int] | None = None, lock: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.lines = lines or []
        self.lock = lock
        self.issues: list[RowIssue] = []
        self.outcomes: list[RowOutcome] = []
        self.versions: dict[int, int] = {}
        self.touched_returns: dict[int, AnnualReturn] = {}
        self._seen: dict[tuple, int] = {}

    # --- columns -----------------------------------------------------------------------------

    @classmethod
    def headers(cls) -> list[str]:
        """The column headers of the files, in order."""
        return [f.column_name for f in cls().get_export_fields()]

    def column(self, name: str) -> str:
        return self.fields[name].column_name

    # --- export --------------------------------------------------------------------------------

    def association_of(self, obj) -> Association:
        return obj.association

    def dehydrate_code(self, obj):
        return neutralise(self.association_of(obj).code)

    def dehydrate_tier(self, obj):
        return tier_label(self.association_of(obj).tier)

    def dehydrate_name(self, obj):
        return neutralise(self.association_of(obj).name)

    # --- import: the lookups, loaded once per file ---------------------------------------------

    def before_import(self, dataset, **kwargs):
        keys = [self._parse_key(dict(zip(dataset.headers, values, strict=False))) for values in dataset]
        wanted = [k for k in keys if k is not None]
        codes = {code for _tier, code, _year in wanted}
        years = {year for _tier, _code, year in wanted}
        self.nodes: dict[tuple[str, str], list[Association]] = defaultdict(list)
        if wanted:
            # One query for every code of the file; the year is matched in Python as active_in() does.
            nodes = Association.objects.filter(
                Q(active_from__isnull=True) | Q(active_from__lte=max(years)),
                Q(active_until__isnull=True) | Q(active_until__gte=min(years)),
                tier__in={tier for tier, _code, _year in wanted},
                code__in=codes,
            ).only("pk", "tier", "code", "name", "short_name", "active_from", "active_until")
            for node in nodes:
                self.nodes[(node.tier, node.code)].append(node)
        node_ids = [n.pk for group in self.nodes.values() for n in group]
        self.editable = set(
            Association.objects.with_perm(self.user, Perm.EDIT_FIGURES)
            .filter(pk__in=node_ids)
            .values_list("pk", flat=True)
        )
        returns = AnnualReturn.objects.filter(association_id__in=node_ids, year__in=years)
        if self.lock:
            returns = returns.select_for_update()
        self.returns = {(r.association_id, r.year): r for r in returns}
        self.load_existing(node_ids, years)

    def load_existing(self, node_ids: list[int], years: set[int]) -> None:
        """Read the objects the rows may update, in a fixed number of queries."""

    def _parse_key(self, cells: dict) -> tuple[str, str, int] | None:
        """(tier, code, year) of a row, or None when one of them is unreadable."""
        try:
            tier = self.fields["tier"].widget.clean(cells.get(TIER))
            year = self.fields["year"].widget.clean(cells.get(YEAR))
        except ValueError:
            return None
        code = cells.get(CODE)
        if isinstance(code, float) and code.is_integer():
            code = int(code)
        if isinstance(code, int) and not isinstance(code, bool):
            code = str(code).zfill(CODE_WIDTH.get(tier, 0))
        code = TextWidget().clean(code)
        return (tier, code, year) if code else None

    @staticmethod
    def _active(node: Association, year: int) -> bool:
        return (node.active_from is None or node.active_from <= year) and (
            node.active_until is None or node.active_until >= year
        )

    # --- import: one row ------------------------------------------------------------------------

    def before_import_row(self, row, row_number=None, **kwargs):
        line = self.lines[row_number - 1] if self.lines else row_number + 1
        state = self._row = _Row(line=line, cells=dict(row))
        for column, value in row.items():
            if is_formula(value):
                state.issue(
                    column,
                    _("Ô chứa công thức (%(formula)s); hãy dán giá trị (Paste Special → Values).")
                    % {"formula": str(value)[:40]},
                )
        if state.issues:
            return
        for name in ("tier", "year"):
            try:
                self.fields[name].widget.clean(row.get(self.column(name)))
            except ValueError as exc:
                state.issue(self.column(name), str(exc))
        key = self._parse_key(row)
        if key is None:
            if not TextWidget().clean(row.get(CODE)):
                state.issue(CODE, _("Thiếu mã hội."))
            return
        tier, code, year = key
        state.year = year
        extra = []
        for name in self.extra_keys:
            try:
                value = self.fields[name].widget.clean(row.get(self.column(name)))
            except ValueError as exc:
                state.issue(self.column(name), str(exc))
                continue
            if not value:
                state.issue(self.column(name), _("Thiếu “%(column)s”.") % {"column": self.column(name)})
            extra.append(value.casefold())
        state.extra = tuple(extra)
        if state.issues:
            return
        state.key = (tier, code, year, *state.extra)
        first = self._seen.setdefault(state.key, line)
        if first != line:
            state.issue(CODE, self.duplicate_message(first))
            return
        node = next((n for n in self.nodes.get((tier, code), ()) if self._active(n, year)), None)
        if node is None:
            state.issue(
                CODE,
                _("Không có hội cấp %(tier)s nào mã “%(code)s” hoạt động trong năm %(year)s.")
                % {"tier": tier_label(tier), "code": code, "year": year},
            )
            return
        if node.pk not in self.editable:
            # The name shown is the file's own, so nothing is revealed about a node the user cannot see.
            named = TextWidget().clean(row.get(NAME))
            state.issue(
                CODE,
                _(
                    "Hội %(name)smã “%(code)s” (cấp %(tier)s) nằm ngoài phạm vi bạn được nhập số liệu; "
                    "tệp chỉ được chứa các hội thuộc hội bạn phụ trách."
                )
                % {"name": f"“{named}”, " if named else "", "code": code, "tier": tier_label(tier)},
            )
            return
        state.association = node
        state.instance = self.find_existing(state)

    def duplicate_message(self, first: int) -> str:
        return _("Trùng với hàng %(row)s: cùng mã, cấp và năm.") % {"row": first}

    def find_existing(self, state: _Row):
        """The stored object the row updates, or None for a new one."""
        raise NotImplementedError

    def get_instance(self, instance_loader, row):
        return self._row.instance

    def init_instance(self, row=None):
        return self.new_instance(self._row)

    def new_instance(self, state: _Row):
        raise NotImplementedError

    def import_instance(self, instance, row, **kwargs):
        state = self._row
        values = {}
        for name in self.value_fields:
            column = self.column(name)
            try:
                values[name] = self.fields[name].widget.clean(row.get(column))
            except ValueError as exc:
                if not any(i.column == column for i in state.issues):
                    state.issue(column, str(exc))
        extra_changes = self.extra_changes(instance, state, row)
        if not state.issues and state.association is not None:
            state.changes = extra_changes + [
                Change(self.column(name), getattr(instance, self.fields[name].attribute), value)
                for name, value in values.items()
                if getattr(instance, self.fields[name].attribute) != value
            ]
            if instance.pk is None and self.create_blank and not state.changes:
                state.changes = [Change(self.column(self.extra_keys[0]), None, self.row_label(row))]
            existing = self.returns.get((state.association.pk, state.year))
            if state.changes and existing is not None and existing.is_locked:
                state.issue(
                    state.changes[0].column,
                    _(
                        "Báo cáo năm %(year)s của hội này đã được duyệt nên không thể sửa. "
                        "Đề nghị cán bộ duyệt mở lại (kèm lý do) nếu cần điều chỉnh."
                    )
                    % {"year": state.year},
                )
        if state.issues:
            self.issues.extend(state.issues)
            raise forms.ValidationError({i.column: i.message for i in state.issues})
        for name, value in values.items():
            setattr(instance, self.fields[name].attribute, value)

    def extra_changes(self, instance, state: _Row, row) -> list[Change]:
        """Changes the row makes beyond its value columns (a fund's kind); may add issues."""
        return []

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return not import_validation_errors and not self._row.changes

    def before_save_instance(self, instance, row, **kwargs):
        existing = self.returns.get((self._row.association.pk, self._row.year))
        if existing is not None:
            self.touched_returns[existing.pk] = existing

    def after_import_row(self, row, row_result, **kwargs):
        state = self._row
        if row_result.is_new():
            status = STATUS_NEW
        elif row_result.is_update():
            status = STATUS_CHANGED
        elif row_result.is_skip():
            status = STATUS_UNCHANGED
        else:
            return
        node = state.association
        self.outcomes.append(
            RowOutcome(
                line=state.line,
                code=node.code,
                tier=tier_label(node.tier),
                name=node.name,
                year=state.year,
                label=self.row_label(row),
                status=status,
                changes=state.changes,
            )
        )
        existing = self.returns.get((node.pk, state.year))
        if existing is not None:
            self.versions[existing.pk] = existing.version

    def row_label(self, row) -> str:
        return ""

    # The library collects the instances (use_bulk); `write()` saves them once every row has passed.
    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        pass

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        pass

    def bulk_delete(self, using_transactions, dry_run, raise_errors, result=None):
        pass

    def after_import(self, dataset, result, **kwargs):
        # ModelResource resets the id sequence here, which could hand out ids already taken by a
        # concurrent insert; we never import ids, so there is nothing to reset.
        pass

    def write(self) -> None:
        """Create and update what the rows asked for, with history rows naming the importing user."""
        raise NotImplementedError

    def _bump_returns(self) -> None:
        """Bump the version of each return whose attachments changed, so that open forms see a conflict."""
        now = timezone.now()
        bumped = list(self.touched_returns.values())
        for annual_return in bumped:
            annual_return.version += 1
            annual_return.updated_at = now
        if bumped:
            bulk_update_with_history(
                bumped,
                AnnualReturn,
                ["version", "updated_at"],
                batch_size=WRITE_BATCH,
                default_user=self.user,
            )


def update_from_values(model, objs: list, fields: list[str], *, now, batch_size: int = 1000) -> None:
    """Write `fields` (and updated_at = now) of `objs` with one UPDATE … FROM (VALUES …) per batch.

    Django's bulk_update builds a CASE WHEN per object and field, which took about 20 seconds for
    10,000 returns; this takes well under one. VALUES columns are named column1, column2, … on
    both SQLite (3.33+) and PostgreSQL, and the casts type the all-NULL columns on PostgreSQL.
    """
    if not objs:
        return
    qn = connection.ops.quote_name
    model_fields = [model._meta.get_field(name) for name in fields]
    assignments = ", ".join(
        f"{qn(f.column)} = CAST(v.column{i + 2} AS {f.cast_db_type(connection)})"
        for i, f in enumerate(model_fields)
    )
    updated_at = model._meta.get_field("updated_at")
    pk = model._meta.pk
    placeholder = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            batch = objs[start : start + batch_size]
            params = [updated_at.get_db_prep_save(now, connection)]
            for obj in batch:
                params.append(obj.pk)
                params.extend(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in model_fields)
            cursor.execute(
                f"UPDATE {qn(model._meta.db_table)} SET {assignments}, {qn(updated_at.column)} = %s "
                f"FROM (VALUES {', '.join([placeholder] * len(batch))}) AS v "
                f"WHERE {qn(model._meta.db_table)}.{qn(pk.column)} = v.column1",
                params,
            )


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
        now = timezone.now()
        for annual_return in self.update_instances:
            annual_return.updated_at = now
        bulk_create_with_history(
            self.create_instances, AnnualReturn, batch_size=WRITE_BATCH, default_user=self.user
        )
        update_from_values(
            AnnualReturn, self.update_instances, [*AnnualReturn.FIGURE_FIELDS, "notes", "version"], now=now
        )
        # No fields: the rows are already updated; this writes their history, naming the importer.
        bulk_update_with_history(
            self.update_instances, AnnualReturn, [], batch_size=WRITE_BATCH, default_user=self.user
        )


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
        # Only the funds of balances being created: a new fund named on a blank row is not created.
        new_funds = {id(b.fund): b.fund for b in self.create_instances if b.fund.pk is None}
        bulk_create_with_history(
            list(new_funds.values()), Fund, batch_size=WRITE_BATCH, default_user=self.user
        )
        bulk_update_with_history(
            list(self.changed_funds.values()), Fund, ["kind"], batch_size=WRITE_BATCH, default_user=self.user
        )
        bulk_create_with_history(
            self.create_instances, FundBalance, batch_size=WRITE_BATCH, default_user=self.user
        )
        bulk_update_with_history(
            self.update_instances, FundBalance, ["balance"], batch_size=WRITE_BATCH, default_user=self.user
        )
        self._bump_returns()


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
        bulk_create_with_history(
            self.create_instances, Scholarship, batch_size=WRITE_BATCH, default_user=self.user
        )
        bulk_update_with_history(
            self.update_instances,
            Scholarship,
            list(self.value_fields),
            batch_size=WRITE_BATCH,
            default_user=self.user,
        )
        self._bump_returns()


RESOURCES: dict[str, type[AssociationRowResource]] = {
    "returns": AnnualReturnResource,
    "funds": FundBalanceResource,
    "scholarships": ScholarshipResource,
}


# --- export ----------------------------------------------------------------------------------------

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
FORMATS = ("xlsx", "csv")
FILE_STEMS = {"returns": "so-lieu", "funds": "so-du-quy", "scholarships": "hoc-bong"}


def export_nodes(*, user, year: int, template: bool = False, root: Association | None = None):
    """The associations a file covers: those the user sees (or may fill in, for a template) in `year`."""
    nodes = (
        Association.objects.with_perm(user, Perm.EDIT_FIGURES)
        if template
        else Association.objects.visible_to(user)
    )
    nodes = nodes.active_in(year)
    if root is not None:
        nodes = nodes.in_subtree_of(root)
    return nodes


def export_objects(*, kind: str, nodes, year: int) -> list:
    """The objects of one file, in tree order; two queries.

    Returns: one per association, unsaved and blank where the association has no return yet.
    Funds: one per fund of those associations, blank where the fund has no balance that year.
    Scholarships: those of the year.
    """
    order = ("association__tree_id", "association__lft")
    if kind == "returns":
        associations = list(nodes.order_by("tree_id", "lft"))
        stored = {r.association_id: r for r in AnnualReturn.objects.filter(year=year, association__in=nodes)}
        rows = []
        for node in associations:
            row = stored.get(node.pk) or AnnualReturn(year=year)
            row.association = node
            rows.append(row)
        return rows
    if kind == "funds":
        funds = list(
            Fund.objects.filter(association__in=nodes).select_related("association").order_by(*order, "name")
        )
        balances = {b.fund_id: b for b in FundBalance.objects.filter(year=year, fund__association__in=nodes)}
        rows = []
        for fund in funds:
            row = balances.get(fund.pk) or FundBalance(year=year)
            row.fund = fund
            rows.append(row)
        return rows
    return list(
        Scholarship.objects.filter(year=year, association__in=nodes)
        .select_related("association")
        .order_by(*order, "programme")
    )


def _guide_lines() -> list[str]:
    return [
        _("Hướng dẫn điền tệp số liệu"),
        _("1. Chỉ điền vào trang tính đầu tiên; giữ nguyên dòng tiêu đề và các cột Mã, Cấp, Năm."),
        _("2. Ghi số nguyên đồng, không âm; có thể để trống ô chưa có số liệu. Không dùng công thức."),
        _("3. Cột Tên hội chỉ để đọc; hội được xác định bằng Mã, Cấp và Năm."),
        _(
            "4. Tải tệp lên trang “Nhập từ Excel”, xem trước rồi xác nhận. Có lỗi ở bất kỳ hàng nào thì không hàng nào được ghi."
        ),
    ]


def to_xlsx(dataset, *, resource: AssociationRowResource) -> bytes:
    """The dataset as a workbook: bold frozen header, grouped amounts, codes kept as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(resource.title)
    sheet.freeze_panes = "A2"
    export_fields = resource.get_export_fields()
    amount_columns = {i for i, f in enumerate(export_fields) if isinstance(f.widget, AmountWidget)}
    code_column = dataset.headers.index(CODE)
    for i, header in enumerate(dataset.headers):
        width = (
            34
            if header in (NAME, "Ghi chú", "Tên quỹ", "Chương trình học bổng")
            else max(10, len(header) + 4)
        )
        sheet.column_dimensions[get_column_letter(i + 1)].width = width
    bold = Font(bold=True)
    header_cells = []
    for header in dataset.headers:
        cell = WriteOnlyCell(sheet, header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for values in dataset:
        row = []
        for i, value in enumerate(values):
            if value in (None, ""):
                row.append(None)
            elif i in amount_columns or i == code_column:
                cell = WriteOnlyCell(sheet, value)
                cell.number_format = "@" if i == code_column else "#,##0"
                row.append(cell)
            else:
                row.append(value)
        sheet.append(row)
    guide = workbook.create_sheet(_("Hướng dẫn"))
    for line in _guide_lines():
        guide.append([line])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def to_csv(dataset) -> bytes:
    """UTF-8 with a byte order mark, which Excel needs to show Vietnamese."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(dataset.headers)
    for values in dataset:
        writer.writerow(["" if v is None else v for v in values])
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def export_file(
    *, user, kind: str, year: int, fmt: str, template: bool = False, root: Association | None = None
) -> tuple[str, str, bytes]:
    """(filename, content type, bytes) of the figures of `year` as XLSX or CSV, or of the template."""
    resource = RESOURCES[kind]()
    nodes = export_nodes(user=user, year=year, template=template, root=root)
    dataset = resource.export(export_objects(kind=kind, nodes=nodes, year=year))
    stem = ("mau-" if template else "") + f"{FILE_STEMS[kind]}-{year}"
    if fmt == "csv":
        return f"{stem}.csv", CSV_TYPE, to_csv(dataset)
    return f"{stem}.xlsx", XLSX_TYPE, to_xlsx(dataset, resource=resource)
