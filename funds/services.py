"""Writes to the yearly figures: the one write path (with funds/workflow.py for its steps).

The entry form, the admin and the demo loader write through these functions, the review pages
through funds/workflow.py, and the import confirmation checks its rows with the same functions
(`ensure_writable`, `figure_outliers`) before writing them in bulk with their history
(funds/spreadsheets/persist.py). They decide, each in one place: who may write (`user_has_perm`),
whether the association is active in the year (`ensure_active`; the import finds only the nodes
active in each row's year), whether the year is locked (`ensure_writable`, with the return row
held by `select_for_update`), the version that tells an open form it is stale (`_bump`), the
outlier rule (`figure_outliers`), and the history (every save and delete is stamped with its user
for django-simple-history).
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from associations.access import user_has_perm
from associations.data_version import touches_years, writes_data
from associations.models import Association, Perm
from associations.spans import not_active_message, related_in

from . import catalogue
from .models import AnnualReturn, Fund, FundBalance, LockedError, Scholarship, Transfer

__all__ = ["LockedError"]


class ConflictError(Exception):
    """Someone saved the same return after the form was loaded."""

    def __init__(self, current: AnnualReturn | None):
        super().__init__("conflict")
        self.current = current


@dataclass
class FundRow:
    name: str
    kind: str
    balance: int | None
    fund_id: int | None = None
    delete: bool = False
    # The word before the balance ("trên 1 tỷ"); None leaves the stored one as it is.
    qualifier: str | None = None


@dataclass
class ScholarshipRow:
    programme: str
    donor: str = ""
    awards: int | None = None
    total_value: int | None = None
    in_kind: bool = False
    abroad: bool = False
    id: int | None = None
    delete: bool = False


@dataclass
class TransferRow:
    purpose: str
    amount: int | None
    giver_name: str = ""
    giver_id: int | None = None
    date: datetime.date | None = None
    id: int | None = None
    delete: bool = False


@dataclass
class ReturnChanges:
    figures: dict
    funds: list[FundRow] = field(default_factory=list)
    scholarships: list[ScholarshipRow] = field(default_factory=list)
    transfers: list[TransferRow] = field(default_factory=list)


def stamp(obj, user):
    obj._history_user = user
    return obj


def _save(obj, user, **clean_kwargs):
    obj.full_clean(**clean_kwargs)
    stamp(obj, user).save()
    return obj


OUTLIER_FACTOR = 5


@dataclass
class Outlier:
    """A figure more than five times, or under a fifth of, last year's."""

    field: str
    previous: int
    value: int


class OutlierError(ValidationError):
    """Unusual figures that the writer has not confirmed."""

    def __init__(self, outliers: list[Outlier]):
        super().__init__(
            _(
                "Một số số liệu lớn hơn gấp 5 lần hoặc nhỏ hơn 1/5 so với năm trước. "
                "Hãy kiểm tra lại rồi đánh dấu ô xác nhận để lưu."
            ),
            code="outlier",
        )
        self.outliers = outliers


def figure_outliers(
    *, previous: AnnualReturn | None, current: AnnualReturn | None, figures: dict
) -> list[Outlier]:
    """The figures of `figures` that are outliers against `previous`; one saved already was confirmed once."""
    found = []
    if previous is None:
        return found
    for name in catalogue.columns():
        if name not in figures:
            continue
        old, new = getattr(previous, name), figures[name]
        if current is not None and getattr(current, name) == new:
            continue
        if old and new is not None and (new > OUTLIER_FACTOR * old or new * OUTLIER_FACTOR < old):
            found.append(Outlier(field=name, previous=old, value=new))
    return found


def locked_error(year: int) -> LockedError:
    """What every write path says when the year's return is approved."""
    return LockedError(
        _(
            "Số liệu năm %(year)s của hội này đã được duyệt nên không thể sửa. "
            "Đề nghị cán bộ duyệt mở lại (kèm lý do) nếu cần điều chỉnh."
        )
        % {"year": year}
    )


def ensure_writable(annual_return: AnnualReturn | None) -> None:
    """The lock: nothing of an approved return's year changes until a reviewer reopens it."""
    if annual_return is not None and annual_return.is_locked:
        raise locked_error(annual_return.year)


def year_is_locked(association_id: int, year: int) -> bool:
    """True when the association's return for `year` is approved (pages show it read-only)."""
    return AnnualReturn.objects.filter(
        association_id=association_id, year=year, status=AnnualReturn.Status.APPROVED
    ).exists()


class InactiveYearError(ValidationError):
    """Figures for a year in which the association is not active (before it began, after it merged)."""


def ensure_active(association: Association, year: int) -> None:
    """The tree of a year takes that year's figures: a node outside its active years takes none."""
    if not association.is_active_in(year):
        related = related_in(association, year)
        message = not_active_message(association, year, who=association.name, related=related)
        raise InactiveYearError(message, code="inactive")


def _held_return(user, association: Association, year: int) -> AnnualReturn | None:
    """The rule every write of a year's figures passes: the right to write, the return held, the lock.

    Holding the return row (select_for_update) makes each write wait for any other on the same
    return, so the version it bumps and the lock it reads cannot change under it.
    """
    if not user_has_perm(user, association, Perm.EDIT_FIGURES):
        raise PermissionDenied
    # By pk alone: the default ordering's join would hold the association's row too.
    current = (
        AnnualReturn.objects.select_for_update()
        .filter(association=association, year=year)
        .order_by("pk")
        .first()
    )
    ensure_writable(current)
    return current


def _bump(annual_return: AnnualReturn | None, user) -> None:
    """Something attached to the return changed: a form opened before must see a conflict."""
    if annual_return is None:
        return
    annual_return.version += 1  # safe: the row is held by _held_return
    stamp(annual_return, user).save(update_fields=["version", "updated_at"])


@writes_data
def annual_return_save(
    *,
    user,
    association: Association,
    year: int,
    changes: ReturnChanges,
    expected_version: int | None,
    confirm_outliers: bool = False,
) -> AnnualReturn:
    """Create or update a return and what is attached to it, refusing stale, locked and unconfirmed writes.

    `expected_version` is the version the form was loaded with (None for a new return);
    `confirm_outliers` says the writer has seen the figures that differ fivefold from last year's.
    """
    touches_years(year)
    current = _held_return(user, association, year)
    ensure_active(association, year)
    if current is not None and current.version != expected_version:
        raise ConflictError(current)
    if current is None and expected_version is not None:
        raise ConflictError(None)
    if not confirm_outliers:
        previous = AnnualReturn.objects.filter(association=association, year=year - 1).first()
        if outliers := figure_outliers(previous=previous, current=current, figures=changes.figures):
            raise OutlierError(outliers)

    annual_return = current or AnnualReturn(association=association, year=year)
    for name, value in changes.figures.items():
        setattr(annual_return, name, value)
    annual_return.version = (current.version + 1) if current else 1
    try:
        with transaction.atomic():
            _save(annual_return, user, validate_unique=current is not None)
    except IntegrityError as exc:
        # Two first saves of the same return at once (or an import creating it): this one lost the race.
        raise ConflictError(AnnualReturn.objects.filter(association=association, year=year).first()) from exc
    except ValidationError:
        # The same race, lost a little earlier: full_clean() checks the unique constraint too, and
        # the return was committed by someone else after our select_for_update found none.
        taken = AnnualReturn.objects.filter(association=association, year=year).first()
        if current is None and taken is not None:
            raise ConflictError(taken) from None
        raise

    _sync_funds(user, association, year, changes.funds)
    _sync_rows(
        user,
        association.scholarships.filter(year=year),
        changes.scholarships,
        ["programme", "donor", "awards", "total_value", "in_kind", "abroad"],
        lambda: Scholarship(association=association, year=year),
    )
    _sync_rows(
        user,
        association.transfers_received.filter(year=year),
        changes.transfers,
        ["purpose", "amount", "giver_name", "giver_id", "date"],
        lambda: Transfer(recipient=association, year=year),
    )
    return annual_return


def _sync_funds(user, association, year, rows: list[FundRow]) -> None:
    funds = {f.pk: f for f in association.funds.all()}
    by_name = {f.name: f for f in funds.values()}
    balances = {b.fund_id: b for b in FundBalance.objects.filter(fund__association=association, year=year)}
    for row in rows:
        fund = funds.get(row.fund_id)
        if row.delete:
            if fund:
                if balance := balances.get(fund.pk):
                    stamp(balance, user).delete()
                if not fund.balances.exists():
                    stamp(fund, user).delete()
            continue
        fund = fund or by_name.get(row.name) or Fund(association=association)
        if fund.pk is None or (fund.name, fund.kind) != (row.name, row.kind):
            fund.name, fund.kind = row.name, row.kind
            _save(fund, user)
        balance = balances.get(fund.pk)
        if row.balance is None and balance is None and row.fund_id is not None:
            # A fund of other years, listed on the form and left blank: nothing to record for this year.
            # A fund added with no figure is recorded: the association named it this year ("Quỹ … ").
            continue
        balance = balance or FundBalance(fund=fund, year=year)
        qualifier = balance.qualifier if row.qualifier is None else row.qualifier
        if balance.pk is None or (balance.balance, balance.qualifier) != (row.balance, qualifier):
            balance.balance, balance.qualifier = row.balance, qualifier
            _save(balance, user)


def _sync_rows(user, existing, rows: list, fields: list[str], new) -> None:
    """Create, update or delete the rows of one formset; `existing` is the queryset they may touch."""
    stored = {obj.pk: obj for obj in existing}
    for row in rows:
        obj = stored.get(row.id)
        if row.delete:
            if obj:
                stamp(obj, user).delete()
            continue
        obj = obj or new()
        if obj.pk is None or any(getattr(obj, f) != getattr(row, f) for f in fields):
            for f in fields:
                setattr(obj, f, getattr(row, f))
            _save(obj, user)


def _row_key(row) -> tuple[Association, int]:
    if isinstance(row, FundBalance):
        return row.fund.association, row.year
    if isinstance(row, Transfer):
        return row.recipient, row.year
    return row.association, row.year


def _row_keys(row) -> list[tuple[Association, int]]:
    """The returns a row's write touches, in a fixed order: where the row is now, and where it was stored."""
    keys = {(association.pk, year): (association, year) for association, year in [_row_key(row)]}
    if row.pk is not None:
        stored = type(row).objects.filter(pk=row.pk).first()
        if stored is not None:
            association, year = _row_key(stored)
            keys.setdefault((association.pk, year), (association, year))
    # Sorted, so that two writers never wait on each other's returns.
    return [keys[key] for key in sorted(keys)]


def _held_for_row(user, row) -> list[AnnualReturn | None]:
    keys = _row_keys(row)
    touches_years(*(year for _association, year in keys))
    return [_held_return(user, association, year) for association, year in keys]


def figures_row_check(*, user, row) -> None:
    """Raise what figures_row_save or figures_row_delete would refuse, writing and holding nothing.

    For forms that show the refusal beside the fields before saving (the admin).
    """
    for association, year in _row_keys(row):
        if not user_has_perm(user, association, Perm.EDIT_FIGURES):
            raise PermissionDenied
        ensure_writable(AnnualReturn.objects.filter(association=association, year=year).first())
    ensure_active(*_row_key(row))


def annual_return_check(*, user, association: Association, year: int, expected_version: int | None) -> None:
    """Raise what annual_return_save would refuse (the right, the lock, a stale version), writing nothing."""
    if not user_has_perm(user, association, Perm.EDIT_FIGURES):
        raise PermissionDenied
    current = AnnualReturn.objects.filter(association=association, year=year).first()
    ensure_writable(current)
    ensure_active(association, year)
    if current is not None and expected_version is not None and current.version != expected_version:
        raise ConflictError(current)


@writes_data
def figures_row_save(*, user, row: FundBalance | Scholarship | Transfer) -> None:
    """Save one row attached to a return, as the admin edits it, under the entry form's rules."""
    held = _held_for_row(user, row)
    # Where the row goes must be active that year; where it was may not be (it is being moved out).
    ensure_active(*_row_key(row))
    _save(row, user)
    for annual_return in held:
        _bump(annual_return, user)


@writes_data
def figures_row_delete(*, user, row: FundBalance | Scholarship | Transfer) -> None:
    """Delete one row attached to a return, under the entry form's rules; its history keeps the old values."""
    held = _held_for_row(user, row)
    stamp(row, user).delete()
    for annual_return in held:
        _bump(annual_return, user)


@writes_data
def fund_delete(*, user, fund: Fund) -> None:
    """Delete a fund and its balances, each under the rules of its year."""
    if not user_has_perm(user, fund.association, Perm.EDIT_FIGURES):
        raise PermissionDenied
    for balance in fund.balances.select_related("fund__association").order_by("year"):
        figures_row_delete(user=user, row=balance)
    stamp(fund, user).delete()


@writes_data
def annual_return_delete(*, user, annual_return: AnnualReturn) -> None:
    """Delete a draft or submitted return; its year's funds, scholarships and transfers stay with the association."""
    touches_years(annual_return.year)
    current = _held_return(user, annual_return.association, annual_return.year)
    if current is not None:
        stamp(current, user).delete()
