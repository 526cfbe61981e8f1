from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone

from funds.models import AnnualReturn
from funds.selectors import subtree_totals
from reports.selectors import cluster_report_index

from .access import get_association_for_user, user_has_perm
from .models import Association, Perm, RoleKind


def default_year() -> int:
    """The latest year anyone has reported (one query), else last year: a page opens on figures."""
    last_year = timezone.localdate().year - 1
    latest = AnnualReturn.objects.filter(year__lte=last_year + 1).aggregate(latest=Max("year"))["latest"]
    return latest or last_year


def selected_year(request, default: int | None = None) -> int:
    """The year from ?nam=, clamped to a sensible range; the latest reported year by default."""
    raw = request.GET.get("nam")
    if raw is not None:
        try:
            year = int(raw)
        except (TypeError, ValueError):
            year = None
        if year is not None and 2000 <= year <= 2100:
            return year
    return default or default_year()


def year_choices() -> list[int]:
    this_year = timezone.localdate().year
    return list(range(this_year, this_year - 11, -1))


@login_required
def home(request):
    roles = list(request.user.roles.select_related("association").order_by("association__sort_key"))
    return render(
        request,
        "associations/home.html",
        {
            "roles": roles,
            "is_chair": any(r.role == RoleKind.CHAIR for r in roles),
            "is_reviewer": any(r.role == RoleKind.REVIEWER for r in roles) or request.user.is_superuser,
            "cluster_reports": cluster_report_index(user=request.user),
            "reporting_year": timezone.localdate().year - 1,
            "roots": Association.objects.none()
            if roles
            else Association.objects.visible_to(request.user).filter(level=0),
        },
    )


@login_required
def association_detail(request, pk: int):
    association = get_association_for_user(request.user, pk)
    year = selected_year(request)
    visible = Association.objects.visible_to(request.user)
    ancestors = visible.filter(
        tree_id=association.tree_id, lft__lt=association.lft, rght__gt=association.rght
    ).order_by("lft")
    children = association.get_children().active_in(year).order_by("sort_key")
    own_return = AnnualReturn.objects.filter(association=association, year=year).first()
    return render(
        request,
        "associations/detail.html",
        {
            "association": association,
            "ancestors": ancestors,
            "children": children,
            "year": year,
            "years": year_choices(),
            "own_return": own_return,
            "can_edit": user_has_perm(request.user, association, Perm.EDIT_FIGURES),
            "totals": subtree_totals(year=year, nodes=[association])[association.pk],
        },
    )
