"""Writes to the yearly figures. Every path (browser form, admin, import) goes through here."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from associations.access import user_has_perm
from associations.models import Association, Perm

from .models import AnnualReturn, Fund, FundBalance, LockedError, Scholarship, Transfer, ensure_unlocked

__all__ = ["LockedError"]


class ConflictError(Exception):
    """Someone saved the same return after the form was loaded."""

    def __init__(self, current: AnnualReturn | None):
        super().__init__("conflict")
        self.current = current


class StaleVersionError(ValidationError):
    """The return changed after the reviewer opened it: a decision on what was seen would not hold."""

    def __init__(self, current: AnnualReturn, seen: int):
        super().__init__(_("Báo cáo đã thay đổi sau khi bạn mở nên chưa được xử lý; hãy xem lại."))
        self.current = current
        self.seen = seen


@dataclass
class BulkApproval:
    """What a bulk approval did: how many it approved, and the returns that changed since they were seen."""

    approved: int
    changed: list[AnnualReturn] = field(default_factory=list)


@dataclass
class FundRow:
    name: str
    kind: str
    balance: int | None
    fund_id: int | None = None
    delete: bool = False


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


def _stamp(obj, user):
    obj._history_user = user
    return obj


def _save(obj, user, **clean_kwargs):
    obj.full_clean(**clean_kwargs)
    _stamp(obj, user).save()
    return obj


@transaction.atomic
def annual_return_save(
    *,
    user,
    association: Association,
    year: int,
    changes: ReturnChanges,
    expected_version: int | None,
) -> AnnualReturn:
    """Create or update a return and what is attached to it, refusing stale and locked writes.

    `expected_version` is the version the form was loaded with (None for a new return).
    """
    if not user_has_perm(user, association, Perm.EDIT_FIGURES):
        raise PermissionDenied
    current = AnnualReturn.objects.select_for_update().filter(association=association, year=year).first()
    # Locked before stale: a save that lost the race to an approval is told the return is approved.
    ensure_unlocked(association.pk, year)
    if current is not None and current.version != expected_version:
        raise ConflictError(current)
    if current is None and expected_version is not None:
        raise ConflictError(None)

    annual_return = current or AnnualReturn(association=association, year=year)
    for name, value in changes.figures.items():
        setattr(annual_return, name, value)
    annual_return.version = (current.version + 1) if current else 1
    try:
        with transaction.atomic():
            _save(annual_return, user, validate_unique=current is not None)
    except IntegrityError as exc:
        # Two first saves of the same return at once: the second one lost the race.
        raise ConflictError(AnnualReturn.objects.filter(association=association, year=year).first()) from exc

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
                    _stamp(balance, user).delete()
                if not fund.balances.exists():
                    _stamp(fund, user).delete()
            continue
        fund = fund or by_name.get(row.name) or Fund(association=association)
        if fund.pk is None or (fund.name, fund.kind) != (row.name, row.kind):
            fund.name, fund.kind = row.name, row.kind
            _save(fund, user)
        balance = balances.get(fund.pk) or FundBalance(fund=fund, year=year)
        if balance.pk is None or balance.balance != row.balance:
            balance.balance = row.balance
            _save(balance, user)


def _sync_rows(user, existing, rows: list, fields: list[str], new) -> None:
    """Create, update or delete the rows of one formset; `existing` is the queryset they may touch."""
    stored = {obj.pk: obj for obj in existing}
    for row in rows:
        obj = stored.get(row.id)
        if row.delete:
            if obj:
                _stamp(obj, user).delete()
            continue
        obj = obj or new()
        if obj.pk is None or any(getattr(obj, f) != getattr(row, f) for f in fields):
            for f in fields:
                setattr(obj, f, getattr(row, f))
            _save(obj, user)


def _transition(annual_return: AnnualReturn, user, **values) -> AnnualReturn:
    for name, value in values.items():
        setattr(annual_return, name, value)
    annual_return.version += 1  # safe: the row is held by select_for_update
    _stamp(annual_return, user).save()
    annual_return.refresh_from_db()
    return annual_return


def _locked_for_update(annual_return: AnnualReturn) -> AnnualReturn:
    return AnnualReturn.objects.select_for_update().select_related("association").get(pk=annual_return.pk)


@transaction.atomic
def annual_return_submit(*, user, annual_return: AnnualReturn) -> AnnualReturn:
    """Draft → submitted, by an officer of the association or above."""
    annual_return = _locked_for_update(annual_return)
    if not user_has_perm(user, annual_return.association, Perm.EDIT_FIGURES):
        raise PermissionDenied
    if annual_return.status != AnnualReturn.Status.DRAFT:
        raise ValidationError(_("Chỉ gửi được báo cáo đang ở trạng thái nháp."))
    return _transition(
        annual_return,
        user,
        status=AnnualReturn.Status.SUBMITTED,
        submitted_by=user,
        submitted_at=timezone.now(),
    )


def _ensure_seen(annual_return: AnnualReturn, expected_version: int) -> None:
    if annual_return.version != expected_version:
        raise StaleVersionError(annual_return, expected_version)


@transaction.atomic
def annual_return_approve(*, user, annual_return: AnnualReturn, expected_version: int) -> AnnualReturn:
    """Submitted → approved, by a reviewer on the association or an ancestor, of the version they saw."""
    annual_return = _locked_for_update(annual_return)
    if not user_has_perm(user, annual_return.association, Perm.REVIEW):
        raise PermissionDenied
    _ensure_seen(annual_return, expected_version)
    if annual_return.status != AnnualReturn.Status.SUBMITTED:
        raise ValidationError(_("Chỉ duyệt được báo cáo đã gửi."))
    return _transition(
        annual_return, user, status=AnnualReturn.Status.APPROVED, approved_by=user, approved_at=timezone.now()
    )


@transaction.atomic
def annual_return_send_back(
    *, user, annual_return: AnnualReturn, reason: str, expected_version: int
) -> AnnualReturn:
    """Submitted → draft, by a reviewer, with the reason the officer will see; only of the version seen."""
    annual_return = _locked_for_update(annual_return)
    if not user_has_perm(user, annual_return.association, Perm.REVIEW):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Cần ghi lý do trả lại báo cáo."))
    _ensure_seen(annual_return, expected_version)
    if annual_return.status != AnnualReturn.Status.SUBMITTED:
        raise ValidationError(_("Chỉ trả lại được báo cáo đã gửi, đang chờ duyệt."))
    return _transition(annual_return, user, status=AnnualReturn.Status.DRAFT, reopen_reason=reason)


@transaction.atomic
def annual_return_reopen(*, user, annual_return: AnnualReturn, reason: str) -> AnnualReturn:
    """Approved (or submitted) → draft, with a recorded reason."""
    annual_return = _locked_for_update(annual_return)
    if not user_has_perm(user, annual_return.association, Perm.REVIEW):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Cần ghi lý do mở lại báo cáo."))
    if annual_return.status == AnnualReturn.Status.DRAFT:
        raise ValidationError(_("Báo cáo đang là bản nháp, không cần mở lại."))
    return _transition(
        annual_return,
        user,
        status=AnnualReturn.Status.DRAFT,
        reopen_reason=reason,
        approved_by=None,
        approved_at=None,
    )


@transaction.atomic
def annual_returns_approve_many(*, user, seen: dict[int, int]) -> BulkApproval:
    """Approve every submitted return in `seen` ({id: version the reviewer saw}) that the user may review
    and that is still at that version; report those that changed since. Other ids are ignored.

    A fixed number of queries however many returns: one read, one bulk update, one bulk history insert.
    """
    in_scope = AnnualReturn.objects.in_review_scope_of(user).filter(pk__in=list(seen))
    returns, changed = [], []
    now = timezone.now()
    # The association comes along for the names in the refusal; only the returns are locked.
    for annual_return in (
        in_scope.select_related("association").select_for_update(of=("self",)).order_by("pk")
    ):
        if annual_return.version != seen[annual_return.pk]:
            changed.append(annual_return)
            continue
        if annual_return.status != AnnualReturn.Status.SUBMITTED:
            continue
        annual_return.status = AnnualReturn.Status.APPROVED
        annual_return.approved_by = user
        annual_return.approved_at = now
        annual_return.updated_at = now
        annual_return.version += 1
        returns.append(annual_return)
    bulk_update_with_history(
        returns,
        AnnualReturn,
        ["status", "approved_by", "approved_at", "version", "updated_at"],
        default_user=user,
        batch_size=500,
    )
    return BulkApproval(approved=len(returns), changed=changed)
