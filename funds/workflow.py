"""The workflow of a return: draft → submitted (officer) → approved (reviewer), sent back or reopened
with a reason. Each step holds the return, asks the access policy, and bumps the version, so that a
form or a review page opened before it is told; an approval is of the version the reviewer saw.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from associations.access import user_has_perm
from associations.data_version import touches_years, writes_data
from associations.models import Perm

from .models import AnnualReturn
from .services import stamp


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


def _transition(annual_return: AnnualReturn, user, **values) -> AnnualReturn:
    for name, value in values.items():
        setattr(annual_return, name, value)
    annual_return.version += 1  # safe: the row is held by select_for_update
    stamp(annual_return, user).save()
    annual_return.refresh_from_db()
    return annual_return


def _locked_for_update(annual_return: AnnualReturn) -> AnnualReturn:
    touches_years(annual_return.year)
    return AnnualReturn.objects.select_for_update().select_related("association").get(pk=annual_return.pk)


@writes_data
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


@writes_data
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


@writes_data
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


@writes_data
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


@writes_data
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
    touches_years(*(r.year for r in returns))
    bulk_update_with_history(
        returns,
        AnnualReturn,
        ["status", "approved_by", "approved_at", "version", "updated_at"],
        default_user=user,
        batch_size=500,
    )
    return BulkApproval(approved=len(returns), changed=changed)
