"""Access to the yearly figures, by the policy of associations/access.py: 404 outside, 403 without the right."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from associations.access import user_has_perm
from associations.models import Perm

from .models import AnnualReturn


def get_return_for_user(user, pk: int, *, perm: str | None = None) -> AnnualReturn:
    """The return `pk` if its association is visible to the user (else 404) and `perm` is held (else 403)."""
    annual_return = AnnualReturn.objects.visible_to(user).filter(pk=pk).select_related("association").first()
    if annual_return is None:
        raise Http404("Không tìm thấy báo cáo này.")
    if perm is not None and perm != Perm.VIEW and not user_has_perm(user, annual_return.association, perm):
        raise PermissionDenied("Bạn không có quyền thực hiện thao tác này.")
    return annual_return
