"""Pages that compose the apps: the home page and an association's page."""

from django.contrib.auth.decorators import login_required
from django.db.models import F, FilteredRelation, Q, QuerySet
from django.shortcuts import render

from associations.access import get_association_for_user, may_carry_roles, open_totals, user_has_perm
from associations.models import Association, Perm, RoleKind, ancestors_q
from associations.spans import not_active_message, related_in
from core.years import default_year, selected_year, year_choices
from funds import catalogue
from funds.cached import node_totals
from funds.models import AnnualReturn
from funds.predecessors import PredecessorTable, predecessor_table
from funds.society import commune_counts, group_values, title_progress
from reports.selectors import cluster_report_index


@login_required
def home(request):
    roles = list(request.user.roles.select_related("association").order_by("association__sort_key"))
    for role in roles:
        role.entry_year = default_year(role.association)
    cluster_reports = cluster_report_index(user=request.user)
    return render(
        request,
        "khuyenhoc/home.html",
        {
            "roles": roles,
            "is_chair": any(r.role == RoleKind.CHAIR for r in roles),
            "is_reviewer": any(r.role == RoleKind.REVIEWER for r in roles) or request.user.is_superuser,
            "cluster_reports": cluster_reports,
            # One ZIP of a year's reports, for those who read several clusters.
            "zip_years": sorted({y for _c, years in cluster_reports for y in years}, reverse=True)
            if len(cluster_reports) > 1
            else [],
            "roots": [] if roles else Association.objects.visible_to(request.user).filter(level=0),
        },
    )


def _not_active(association: Association, year: int, visible) -> dict:
    """What the page says in a year the association is not active: why, and where to go instead."""
    related = related_in(association, year)
    shown = (
        set(visible.filter(pk__in=[r.pk for r in related]).values_list("pk", flat=True)) if related else ()
    )
    return {
        "message": not_active_message(association, year, who=association.name, related=related),
        "links": [r for r in related if r.pk in shown],
        "year": default_year(association),
    }


def _readable_predecessors(user, table: PredecessorTable | None) -> set[int]:
    """The predecessors whose figures the user reads: open totals (provinces), or inside the user's subtrees."""
    if table is None:
        return set()
    ids = [p.pk for p in table.lineage.predecessors]
    readable = open_totals(user) | Association.objects.visible_to(user)
    return set(readable.filter(pk__in=ids).values_list("pk", flat=True))


def with_return_status(children: QuerySet, year: int) -> QuerySet:
    """The children, each with `return_status`: its own return's status for `year`, None if it has none.

    A join on the one return per (association, year), not a query per child, so that a province
    with 200 communes costs what one with 2 does.
    """
    this_year = FilteredRelation("returns", condition=Q(returns__year=year))
    return children.annotate(this_year=this_year).annotate(return_status=F("this_year__status"))


def _figures(totals) -> dict:
    """The page's totals, with the catalogue's groups read from them (no query)."""
    return {
        "totals": totals,
        "titles": title_progress(totals),
        "organisation": group_values(totals, catalogue.G_ORGANISATION),
        "payouts": group_values(totals, catalogue.G_PAYOUTS),
    }


@login_required
def association_detail(request, pk: int):
    association = get_association_for_user(request.user, pk)
    year = selected_year(request, association)
    visible = Association.objects.visible_to(request.user)
    # The level bounds the rows the visibility test runs on to the few above the node, not half the tree.
    ancestors = visible.filter(ancestors_q(association), level__lt=association.level).order_by("lft")
    context = {
        "association": association,
        "ancestors": ancestors,
        "year": year,
        "years": year_choices(association),
        "can_edit": user_has_perm(request.user, association, Perm.EDIT_FIGURES),
        # Only a node that ended has successors: the pages of the others ask nothing more.
        "can_carry_roles": association.active_until is not None
        and may_carry_roles(request.user, association),
    }
    # A node the reform created: its predecessors side by side before it began (three queries).
    predecessors = predecessor_table(node=association)
    readable = _readable_predecessors(request.user, predecessors)
    context.update(
        predecessors=predecessors,
        readable=readable,
        all_readable=predecessors is not None and len(readable) == len(predecessors.lineage.predecessors),
    )
    if not association.is_active_in(year):
        # The tree of that year does not hold this node: no return, no children. Before it began,
        # its totals are its predecessors' (marked so); after it ended, nothing.
        context["not_active"] = _not_active(association, year, visible)
        if predecessors is not None and year < association.active_from:
            context.update(_figures(node_totals(year=year, node=association)))
        return render(request, "khuyenhoc/association_detail.html", context)
    children = list(with_return_status(association.get_children().active_in(year), year).order_by("sort_key"))
    labels = dict(AnnualReturn.Status.choices)
    for child in children:
        child.return_status_label = labels.get(child.return_status)
    context.update(
        children=children,
        reported=sum(1 for child in children if child.return_status is not None),
        own_return=association.returns.filter(year=year).first(),
        communes=commune_counts(year=year, nodes=[association])[association.pk],
        **_figures(node_totals(year=year, node=association)),
    )
    return render(request, "khuyenhoc/association_detail.html", context)
