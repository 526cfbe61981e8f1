"""Checking the rows of an imported file: who, which year, in the user's scope, unlocked, what changes.

A row names its association by code, tier and year (codes were reused after the 2025 reform); the
name is there for people and is never read back. `Resource.import_data(..., use_bulk=True)` walks
the rows; these hooks resolve and check them against lookups loaded once per file (a fixed number
of queries whatever its length), and collect the instances to create and update, which
funds/spreadsheets/persist.py writes once the whole file has passed.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from import_export import resources
from import_export.fields import Field

from associations.models import Association, Perm

from ..models import AnnualReturn
from .cells import (
    CODE,
    CODE_WIDTH,
    NAME,
    TIER,
    YEAR,
    TextWidget,
    TierWidget,
    YearWidget,
    is_formula,
    neutralise,
    show,
    tier_label,
)


@dataclass
class Change:
    column: str
    old: object
    new: object

    @property
    def old_text(self) -> str:
        return show(self.old)

    @property
    def new_text(self) -> str:
        return show(self.new)


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
