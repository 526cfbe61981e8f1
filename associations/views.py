"""Pages about the tree's people: carrying the roles of an ended node to its successors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .access import get_association_for_user
from .models import Perm
from .selectors import roles_to_carry
from .services import roles_carry_to_successors


@login_required
def role_carry(request, pk: int):
    """GET: who would get which role on which successor; POST: give them those roles."""
    association = get_association_for_user(request.user, pk, perm=Perm.REVIEW)
    if request.method == "POST":
        try:
            created = roles_carry_to_successors(user=request.user, association=association)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                ngettext(
                    "Đã chuyển %(count)d vai trò sang hội kế thừa.",
                    "Đã chuyển %(count)d vai trò sang hội kế thừa.",
                    len(created),
                )
                % {"count": len(created)}
                if created
                else _("Mọi vai trò đã có ở hội kế thừa; không có gì thay đổi."),
            )
        return redirect("association_detail", pk=association.pk)
    plan = roles_to_carry(association=association)
    return render(
        request,
        "associations/role_carry.html",
        {
            "association": association,
            "plan": plan,
            "to_give": [carried for carried in plan if not carried.held],
            "successors": list(association.successors.order_by("sort_key", "pk")),
        },
    )
