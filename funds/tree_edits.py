"""Tree edits that would change an approved year's totals are refused (registered in FundsConfig.ready()).

A node's place and its active years decide which figures its ancestors add up, and the tree itself is
counted (the number of commune associations), so the guard is deliberately cautious: an approved
return of an ancestor counts whatever the return covers.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from associations.models import Association, span_covers, subtree_q

from .models import AnnualReturn


def _subtree(node: Association) -> Q:
    return subtree_q(node, prefix="association__")


def _ancestor_ids(node: Association | None, *, include_self: bool) -> set[int]:
    if node is None:
        return set()
    return set(node.get_ancestors(include_self=include_self).values_list("pk", flat=True))


def _approved(scope: Q):
    return AnnualReturn.objects.filter(scope, status=AnnualReturn.Status.APPROVED)


def refuse_changes_to_approved_totals(node: Association, changes: dict) -> None:
    """Refuse a move of a node, or a change of its active years, that changes the totals of an approved year.

    `node` is the node as stored; `changes` holds the fields that change, with their new values.
    """
    if "parent" in changes:
        _check_move(node, changes["parent"])
    if "active_from" in changes or "active_until" in changes:
        _check_active_years(node, changes)


def _check_move(node: Association, parent: Association | None) -> None:
    # The ancestors both before and after the move keep their totals; the others gain or lose the subtree.
    moved_past = _ancestor_ids(node, include_self=False) ^ _ancestor_ids(parent, include_self=True)
    approved = _approved(_subtree(node))
    first = approved.select_related("association").order_by("year").first()
    if first is None:
        years = [
            year
            for year in _approved(Q(association_id__in=moved_past)).values_list("year", flat=True).distinct()
            if node.is_active_in(year)
        ]
        if years:
            first = (
                _approved(Q(association_id__in=moved_past, year=min(years)))
                .select_related("association")
                .first()
            )
    if first is not None:
        raise ValidationError(
            {
                "parent": _(
                    "Không chuyển được “%(node)s” sang hội cấp trên khác: báo cáo năm %(year)s của "
                    "“%(name)s” đã được duyệt và tổng số liệu năm đó sẽ thay đổi. Đề nghị cán bộ duyệt "
                    "mở lại báo cáo đó (kèm lý do) trước khi chuyển."
                )
                % {"node": node.name, "year": first.year, "name": first.association.name}
            }
        )


def _check_active_years(node: Association, changes: dict) -> None:
    old = (node.active_from, node.active_until)
    new = (changes.get("active_from", node.active_from), changes.get("active_until", node.active_until))
    scope = _subtree(node) | Q(association_id__in=_ancestor_ids(node, include_self=False))
    years = sorted(
        year
        for year in _approved(scope).values_list("year", flat=True).distinct()
        if span_covers(*old, year) != span_covers(*new, year)
    )
    if not years:
        return
    first = _approved(scope & Q(year=years[0])).select_related("association").first()
    field = "active_until" if "active_until" in changes else "active_from"
    raise ValidationError(
        {
            field: _(
                "Không đổi được năm hoạt động của “%(node)s”: năm %(year)s có báo cáo đã duyệt của "
                "“%(name)s” mà tổng số liệu năm đó sẽ thay đổi. Đề nghị cán bộ duyệt mở lại báo cáo "
                "đó (kèm lý do) trước, hoặc giữ năm hoạt động để năm %(year)s không đổi."
            )
            % {"node": node.name, "year": years[0], "name": first.association.name}
        }
    )
