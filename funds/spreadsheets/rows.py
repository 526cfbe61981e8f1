"""Checking the rows of an imported file: who, which year, in the user's scope, unlocked, what changes.

A row names its association by code, tier and year (codes were reused after the 2025 reform); the
name is there for people and is never read back. The lookups are loaded once per file, in a fixed
number of queries whatever its length; then each row is resolved and checked against them, and
the instances to create and update are collected for persist.py, which writes them only once the
whole file has passed. The subclasses in resources.py declare their columns and the few things
that differ between kinds of file (which stored object a row updates, what a new one is).
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from associations.models import Association, Perm
from associations.spans import nearest_in_time, not_active_message, related_in_bulk

from .. import services
from ..models import AnnualReturn
from .cells import (
    CODE,
    CODE_WIDTH,
    NAME,
    TIER,
    YEAR,
    Field,
    TextCell,
    TierCell,
    YearCell,
    is_formula,
    read_back,
    tier_label,
)
from .outcomes import STATUS_CHANGED, STATUS_NEW, STATUS_UNCHANGED, Change, RowIssue, RowOutcome

# Rows checked between two progress reports: a report is one UPDATE, a row about 0,5 ms.
PROGRESS_EVERY = 250

logger = logging.getLogger(__name__)


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


KEY_FIELDS = (
    Field("code", CODE, TextCell(kind="code")),
    Field("tier", TIER, TierCell()),
    Field("name", NAME, TextCell(), width=34),
    Field("year", YEAR, YearCell()),
)


class AssociationRowResource:
    """Rows keyed by an association's code, tier and year; subclasses declare their other columns."""

    # The columns after code, tier, name and year, in file order.
    fields: tuple[Field, ...] = ()
    # Field names that, with code, tier and year, identify a row (a fund, a programme).
    extra_keys: tuple[str, ...] = ()
    # Field names whose cells are written to the instance (the attribute of the same name).
    value_fields: tuple[str, ...] = ()
    # Whether a new row with every value blank still creates something (a named programme does;
    # a template row left blank does not).
    create_blank = False
    title = ""  # the sheet's name
    stem = ""  # the file's name

    def __init__(self, *, user=None, lock: bool = False):
        self.user = user
        self.lock = lock
        self.by_name = {f.name: f for f in self.all_fields()}
        self.issues: list[RowIssue] = []
        self.outcomes: list[RowOutcome] = []
        self.versions: dict[int, int] = {}
        self.touched_returns: dict[int, AnnualReturn] = {}
        # The returns to create as the parents of new or changed rows (fund balances, scholarships).
        self.new_returns: dict[tuple[int, int], AnnualReturn] = {}
        self.create_instances: list = []
        self.update_instances: list = []
        self._seen: dict[tuple, int] = {}

    # --- columns -----------------------------------------------------------------------------

    @classmethod
    def all_fields(cls) -> tuple[Field, ...]:
        return KEY_FIELDS + cls.fields

    @classmethod
    def headers(cls) -> list[str]:
        """The column headers of the files, in order."""
        return [f.header for f in cls.all_fields()]

    def column(self, name: str) -> str:
        return self.by_name[name].header

    def read(self, name: str, cells: dict):
        """The value of a row's cell in column `name`; ValueError with the reason otherwise."""
        f = self.by_name[name]
        return f.cell.read(cells.get(f.header))

    # --- export --------------------------------------------------------------------------------

    def association_of(self, obj) -> Association:
        return obj.association

    def export_value(self, obj, name: str):
        """The stored value of column `name` for `obj`."""
        if name in ("code", "tier", "name"):
            return getattr(self.association_of(obj), name)
        return getattr(obj, name)

    def export_row(self, obj) -> list:
        return [f.cell.write(self.export_value(obj, f.name)) for f in self.by_name.values()]

    # --- import --------------------------------------------------------------------------------

    def check(self, rows: list[tuple[int, dict]], *, source: str = "", progress=None) -> None:
        """Check every (line, cells by header) row: fills outcomes, issues and the instances to write.

        `progress(done, total)`, when given, hears every few hundred rows how far the check is."""
        self.prepare([cells for _line, cells in rows])
        for done, (line, cells) in enumerate(rows):
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done, len(rows))
            try:
                self.check_row(_Row(line=line, cells=cells))
            except Exception:
                # A bug, not the officer's doing: log it, say so, and the file is refused.
                logger.exception("Import of %s, row %s", source, line)
                self.issues.append(RowIssue(line, "", _("Lỗi hệ thống khi đọc hàng này.")))
        self.finish()

    def prepare(self, rows: list[dict]) -> None:
        """Load what the rows may name or change: three queries, plus those of load_existing(), and
        one more when a row names a node of another year."""
        keys = [self._parse_key(cells) for cells in rows]
        wanted = [k for k in keys if k is not None]
        codes = {code for _tier, code, _year in wanted}
        years = {year for _tier, _code, year in wanted}
        self.nodes: dict[tuple[str, str], list[Association]] = defaultdict(list)
        if wanted:
            # One query for every code of the file, of any year: each row's year is matched in Python
            # (is_active_in), and a node of another year tells a refused row why.
            nodes = Association.objects.filter(
                tier__in={tier for tier, _code, _year in wanted},
                code__in=codes,
            ).only("pk", "tier", "code", "name", "short_name", "sort_key", "active_from", "active_until")
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
            # By pk, so that two imports lock in the same order (no deadlock); and without the
            # default ordering's join, which would lock the associations' rows too.
            returns = returns.select_for_update().order_by("pk")
        self.returns = {(r.association_id, r.year): r for r in returns}
        self.not_active = self._not_active_reasons(wanted)
        self.load_existing(node_ids, years)

    def _not_active_reasons(self, keys: list[tuple[str, str, int]]) -> dict[tuple[str, str, int], str]:
        """{(tier, code, year): why} for the rows whose code names, in the user's scope, only nodes of
        other years: the nearest of them, and who stands for it that year (one query, none if no row)."""
        nearest = {}
        for tier, code, year in set(keys):
            others = [n for n in self.nodes.get((tier, code), ()) if n.pk in self.editable]
            if others and not any(n.is_active_in(year) for n in others):
                nearest[(tier, code, year)] = nearest_in_time(others, year)
        related = related_in_bulk([(node, key[2]) for key, node in nearest.items()])
        return {
            key: not_active_message(
                node,
                key[2],
                who=_("Mã %(code)s (%(name)s)") % {"code": node.code, "name": node.short_name},
                related=related[(node.pk, key[2])],
            )
            for key, node in nearest.items()
        }

    def load_existing(self, node_ids: list[int], years: set[int]) -> None:
        """Read the objects the rows may update, in a fixed number of queries."""

    def _parse_key(self, cells: dict) -> tuple[str, str, int] | None:
        """(tier, code, year) of a row, or None when one of them is unreadable."""
        try:
            tier = self.read("tier", cells)
            year = self.read("year", cells)
        except ValueError:
            return None
        code = cells.get(CODE)
        if isinstance(code, float) and code.is_integer():
            code = int(code)
        if isinstance(code, int) and not isinstance(code, bool):
            code = str(code).zfill(CODE_WIDTH.get(tier, 0))
        code = TextCell().read(code)
        return (tier, code, year) if code else None

    def check_row(self, state: _Row) -> None:
        self.resolve(state)
        instance = state.instance or self.new_instance(state)
        values = self.read_values(state, instance)
        if state.issues:
            self.issues.extend(state.issues)
            return
        self.check_values(state, instance, values)
        for name, value in values.items():
            setattr(instance, name, value)
        if not state.changes:
            status = STATUS_UNCHANGED
        else:
            self.before_save(state, instance)
            if state.instance is None:
                self.create_instances.append(instance)
                status = STATUS_NEW
            else:
                self.update_instances.append(instance)
                status = STATUS_CHANGED
        node = state.association
        self.outcomes.append(
            RowOutcome(
                line=state.line,
                code=node.code,
                tier=tier_label(node.tier),
                name=node.name,
                year=state.year,
                label=self.row_label(state),
                status=status,
                changes=state.changes,
            )
        )
        existing = self.returns.get((node.pk, state.year))
        if existing is not None:
            self.versions[existing.pk] = existing.version

    def resolve(self, state: _Row) -> None:
        """Find the row's association and stored object, or record why the row cannot be read."""
        cells = state.cells
        for column, value in cells.items():
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
                self.read(name, cells)
            except ValueError as exc:
                state.issue(self.column(name), str(exc))
        key = self._parse_key(cells)
        if key is None:
            if not TextCell().read(cells.get(CODE)):
                state.issue(CODE, _("Thiếu mã hội."))
            return
        tier, code, year = key
        state.year = year
        extra = []
        for name in self.extra_keys:
            try:
                value = self.read(name, cells)
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
        first = self._seen.setdefault(state.key, state.line)
        if first != state.line:
            state.issue(CODE, self.duplicate_message(first))
            return
        node = next((n for n in self.nodes.get((tier, code), ()) if n.is_active_in(year)), None)
        reason = self.not_active.get((tier, code, year))
        if reason and (node is None or node.pk not in self.editable):
            # The user's own node of that code has ended (or not begun); a reused code's node of
            # this year is someone else's.
            state.issue(CODE, reason)
            return
        if node is None:
            state.issue(
                CODE,
                _("Không có hội cấp %(tier)s nào mã “%(code)s” hoạt động trong năm %(year)s.")
                % {"tier": tier_label(tier), "code": code, "year": year},
            )
            return
        if node.pk not in self.editable:
            # The name shown is the file's own, so nothing is revealed about a node the user cannot see.
            named = TextCell().read(cells.get(NAME))
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

    def read_values(self, state: _Row, instance) -> dict:
        """The row's values, and its changes to `instance` (old → new); refuses a locked return."""
        values = {}
        for name in self.value_fields:
            column = self.column(name)
            try:
                value = self.read(name, state.cells)
            except ValueError as exc:
                if not any(i.column == column for i in state.issues):
                    state.issue(column, str(exc))
                continue
            f = self.by_name[name]
            if f.optional and (f.header not in state.cells or (value is None and f.blank_keeps)):
                continue  # left out (or blank): the stored value (the model's default for a new row) stays
            old = getattr(instance, name)
            # Text the export wrote differently (a control character it could not hold) is unchanged.
            if isinstance(old, str) and isinstance(value, str) and read_back(old) == value:
                value = old
            values[name] = value
        extra_changes = self.extra_changes(instance, state)
        if not state.issues and state.association is not None:
            state.changes = extra_changes + [
                Change(
                    self.column(name), *map(self.by_name[name].cell.preview, (getattr(instance, name), value))
                )
                for name, value in values.items()
                if getattr(instance, name) != value
            ]
            if state.instance is None and self.create_blank and not state.changes:
                state.changes = [Change(self.column(self.extra_keys[0]), None, self.row_label(state))]
            existing = self.returns.get((state.association.pk, state.year))
            if state.changes:
                try:
                    services.ensure_writable(existing)
                except services.LockedError as exc:
                    state.issue(state.changes[0].column, exc.messages[0])
        return values

    # --- what differs between kinds of file ------------------------------------------------------

    def duplicate_message(self, first: int) -> str:
        return _("Trùng với hàng %(row)s: cùng mã, cấp và năm.") % {"row": first}

    def find_existing(self, state: _Row):
        """The stored object the row updates, or None for a new one."""
        raise NotImplementedError

    def new_instance(self, state: _Row):
        raise NotImplementedError

    def extra_changes(self, instance, state: _Row) -> list[Change]:
        """Changes the row makes beyond its value columns (a fund's kind); may add issues."""
        return []

    def check_values(self, state: _Row, instance, values: dict) -> None:
        """Look at a valid row's values before they are set on `instance` (which still holds the
        stored ones); the returns file notes them here for the outlier rule."""

    def finish(self) -> None:
        """After every row is checked: what needs the whole file (the outliers of the returns file)."""

    def before_save(self, state: _Row, instance) -> None:
        """Note the return whose attachments change, so that its version is bumped, or so that it
        is created: writing a new return is what two imports (or an import and the entry form)
        of the same association and year collide on, so that one of them is told instead of
        silently overwriting the other.
        """
        key = (state.association.pk, state.year)
        existing = self.returns.get(key)
        if existing is not None:
            self.touched_returns[existing.pk] = existing
        elif key not in self.new_returns:
            self.new_returns[key] = AnnualReturn(association=state.association, year=state.year)

    def row_label(self, state: _Row) -> str:
        return ""

    def write(self) -> None:
        """Create and update what the rows asked for, with history rows naming the importing user."""
        raise NotImplementedError
