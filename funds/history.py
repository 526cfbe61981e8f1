"""The change history of one return and everything attached to it, from django-simple-history."""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.numbers import grouped

from .models import AnnualReturn, Fund, FundBalance, Scholarship, Transfer

# Lazy: read in the language of each request, not the one active when the module was imported.
ACTIONS = {"+": gettext_lazy("Tạo mới"), "~": gettext_lazy("Sửa"), "-": gettext_lazy("Xoá")}
HIDDEN = {"id", "version", "updated_at", "association", "year", "fund", "recipient", "sort_key"}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    when: datetime
    user: str
    what: str
    action: str
    changes: list[Change] = field(default_factory=list)


def _show(model, name: str, value) -> str:
    if value is None or value == "":
        return "—"
    f = model._meta.get_field(name)
    if f.choices:
        return str(dict(f.choices).get(value, value))
    if isinstance(value, bool):
        return _("có") if value else _("không")
    if isinstance(value, int) and not f.is_relation:
        return grouped(value)
    return str(value)


def _user_label(user) -> str:
    if user is None:
        return _("hệ thống")
    full = user.get_full_name()
    return f"{full} ({user.username})" if full else user.username


def _tracked(model) -> list:
    return [
        f
        for f in model._meta.fields
        if f.name not in HIDDEN and not f.name.endswith("_at") and not f.name.endswith("_by")
    ]


def _entries(model, rows, label) -> list[Entry]:
    tracked = _tracked(model)
    previous = {}
    out = []
    for row in rows:
        before = previous.get(row.id)
        changes = []
        for f in tracked:
            value = getattr(row, f.attname)
            if row.history_type == "-":
                # A deletion records the row as it was: each value it held goes, old → "—".
                if value not in (None, "", False):
                    changes.append(Change(str(f.verbose_name), _show(model, f.name, value), "—"))
                continue
            old = getattr(before, f.attname) if before is not None else None
            if before is not None and old == value:
                continue
            if before is None and value in (None, "", False):
                continue
            changes.append(
                Change(str(f.verbose_name), _show(model, f.name, old), _show(model, f.name, value))
            )
        previous[row.id] = row
        if changes or row.history_type != "~":
            user = row.history_user
            out.append(
                Entry(
                    when=row.history_date,
                    user=_user_label(user),
                    what=label(row),
                    action=ACTIONS[row.history_type],
                    changes=changes,
                )
            )
    return out


def _ordered(history):
    """Oldest first, so that each row is compared with the one before it."""
    return history.select_related("history_user").order_by("history_date", "history_id")


def return_history(*, association_id: int, year: int) -> list[Entry]:
    """Every recorded change to the return of (association, year) and its attachments, newest first.

    Five queries whatever the length of the history.
    """
    fund_rows = list(_ordered(Fund.history.filter(association_id=association_id)))
    fund_names = {r.id: r.name for r in fund_rows}
    sources = [
        (
            AnnualReturn,
            AnnualReturn.history.filter(association_id=association_id, year=year),
            lambda r: _("Báo cáo năm %(year)s") % {"year": r.year},
        ),
        (
            FundBalance,
            FundBalance.history.filter(fund_id__in=list(fund_names), year=year),
            lambda r: _("Số dư %(fund)s") % {"fund": fund_names.get(r.fund_id, "?")},
        ),
        (Fund, fund_rows, lambda r: r.name),
        (
            Scholarship,
            Scholarship.history.filter(association_id=association_id, year=year),
            lambda r: _("Học bổng: %(name)s") % {"name": r.programme},
        ),
        (
            Transfer,
            Transfer.history.filter(recipient_id=association_id, year=year),
            lambda r: _("Khoản nhận: %(purpose)s") % {"purpose": r.purpose},
        ),
    ]
    entries = []
    for model, rows, label in sources:
        entries += _entries(model, rows if isinstance(rows, list) else _ordered(rows), label)
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def changes_since(returns: list[AnnualReturn], seen: dict[int, int]) -> dict[int, list[Change]]:
    """{return id: what differs between the version the reviewer saw and the return as it is now}.

    One query for all the returns: the history rows of the versions seen.
    """
    if not returns:
        return {}
    then = {}
    rows = AnnualReturn.history.filter(id__in=[r.pk for r in returns], version__in=set(seen.values()))
    for row in rows.order_by("history_date", "history_id"):
        if row.version == seen.get(row.id):
            then[row.id] = row  # the last row of a version is that version as it was saved
    out = {}
    for current in returns:
        before = then.get(current.pk)
        if before is None:
            out[current.pk] = [Change(_("phiên bản"), str(seen.get(current.pk, "—")), str(current.version))]
            continue
        out[current.pk] = [
            Change(str(f.verbose_name), _show(AnnualReturn, f.name, old), _show(AnnualReturn, f.name, new))
            for f in _tracked(AnnualReturn)
            if (old := getattr(before, f.attname)) != (new := getattr(current, f.attname))
        ] or [Change(_("quỹ, học bổng hoặc khoản nhận"), _("như đã xem"), _("đã thay đổi"))]
    return out


def was_sent_back(annual_return: AnnualReturn) -> bool:
    """Whether the draft was last made a draft from submitted (sent back) rather than from approved (reopened)."""
    last = (
        annual_return.history.exclude(status=AnnualReturn.Status.DRAFT)
        .order_by("-history_date", "-history_id")
        .values_list("status", flat=True)
        .first()
    )
    return last == AnnualReturn.Status.SUBMITTED
