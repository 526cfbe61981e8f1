"""Pages that compose the apps: the home page and an association's page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from associations.access import get_association_for_user, open_totals, user_has_perm
from associations.models import Association, Perm, RoleKind, ancestors_q
from core.years import reporting_year, year_choices
from funds.selectors import PredecessorTable, predecessor_table, subtree_totals
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


def _readable_predecessors(user, table: PredecessorTable | None) -> set[int]:
    """The predecessors whose figures the user reads: open totals (provinces), or inside the user's subtrees."""
    if table is None:
        return set()
    ids = [p.pk for p in table.lineage.predecessors]
    readable = open_totals(user) | Association.objects.visible_to(user)
    return set(readable.filter(pk__in=ids).values_list("pk", flat=True))


@login_required
def association_detail(request, pk: int):
    association = get_association_for_user(request.user, pk)
    year = selected_year(request)
    visible = Association.objects.visible_to(request.user)
    ancestors = visible.filter(ancestors_q(association)).exclude(pk=association.pk).order_by("lft")
    children = association.get_children().active_in(year).order_by("sort_key")
    own_return = association.returns.filter(year=year).first()
    # A node the reform created: its predecessors side by side before it began (three queries).
    predecessors = predecessor_table(node=association)
    readable = _readable_predecessors(request.user, predecessors)
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
            "totals": subtree_totals(year=year, nodes=[association])[association.pk],
            "predecessors": predecessors,
            "readable": readable,
            "all_readable": predecessors is not None
            and len(readable) == len(predecessors.lineage.predecessors),
        },
    )
