"""Pages that compose the apps: the home page and an association's page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from associations.access import get_association_for_user, user_has_perm
from associations.models import Association, Perm, RoleKind, ancestors_q
from core.years import reporting_year, year_choices
from funds import catalogue
from funds.selectors import commune_counts, group_values, subtree_totals, title_progress
from funds.years import selected_year
from reports.selectors import cluster_report_index


@login_required
def home(request):
    roles = list(request.user.roles.select_related("association").order_by("association__sort_key"))
    return render(
        request,
        "khuyenhoc/home.html",
        {
            "roles": roles,
            "is_chair": any(r.role == RoleKind.CHAIR for r in roles),
            "is_reviewer": any(r.role == RoleKind.REVIEWER for r in roles) or request.user.is_superuser,
            "cluster_reports": cluster_report_index(user=request.user),
            "reporting_year": reporting_year(),
            "roots": [] if roles else Association.objects.visible_to(request.user).filter(level=0),
        },
    )


@login_required
def association_detail(request, pk: int):
    association = get_association_for_user(request.user, pk)
    year = selected_year(request)
    visible = Association.objects.visible_to(request.user)
    ancestors = visible.filter(ancestors_q(association)).exclude(pk=association.pk).order_by("lft")
    children = association.get_children().active_in(year).order_by("sort_key")
    own_return = association.returns.filter(year=year).first()
    totals = subtree_totals(year=year, nodes=[association])[association.pk]
    return render(
        request,
        "khuyenhoc/association_detail.html",
        {
            "association": association,
            "ancestors": ancestors,
            "children": children,
            "year": year,
            "years": year_choices(),
            "own_return": own_return,
            "can_edit": user_has_perm(request.user, association, Perm.EDIT_FIGURES),
            "totals": totals,
            "titles": title_progress(totals),
            "organisation": group_values(totals, catalogue.G_ORGANISATION),
            "payouts": group_values(totals, catalogue.G_PAYOUTS),
            "communes": commune_counts(year=year, nodes=[association])[association.pk],
        },
    )
