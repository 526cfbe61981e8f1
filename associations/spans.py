"""A node outside its years, in words: why it is not active in a year, and who stands for it then.

The entry form, the import, the rankings and the association's page say it the same way.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from .models import Association, Succession


def ended_before(node: Association, year: int) -> bool:
    """The node's last active year is before `year` (it merged or was dissolved)."""
    return node.active_until is not None and year > node.active_until


def begins_after(node: Association, year: int) -> bool:
    """The node's first active year is after `year` (it was formed later)."""
    return node.active_from is not None and year < node.active_from


def nearest_in_time(nodes: list[Association], year: int) -> Association:
    """The node of `nodes` whose active years come closest to `year` (the first by id on a tie)."""

    def distance(node: Association) -> int:
        if ended_before(node, year):
            return year - node.active_until
        return node.active_from - year if begins_after(node, year) else 0

    return min(nodes, key=lambda node: (distance(node), node.pk))


def related_in_bulk(pairs: list[tuple[Association, int]]) -> dict[tuple[int, int], list[Association]]:
    """{(node id, year): who stands for the node that year}: its successors after it ended, its
    predecessors before it began, nobody in a year it is active. One query, none when no pair needs it.
    """
    out: dict[tuple[int, int], list[Association]] = {(node.pk, year): [] for node, year in pairs}
    after = {node.pk for node, year in pairs if ended_before(node, year)}
    before = {node.pk for node, year in pairs if begins_after(node, year)}
    if not after and not before:
        return out
    links = Succession.objects.filter(Q(predecessor__in=after) | Q(successor__in=before)).select_related(
        "predecessor", "successor"
    )
    successors, predecessors = {}, {}
    for link in links:
        successors.setdefault(link.predecessor_id, []).append(link.successor)
        predecessors.setdefault(link.successor_id, []).append(link.predecessor)
    for node, year in pairs:
        if ended_before(node, year):
            related = successors.get(node.pk, [])
        elif begins_after(node, year):
            related = predecessors.get(node.pk, [])
        else:
            continue
        out[(node.pk, year)] = sorted(related, key=lambda n: (n.sort_key, n.pk))
    return out


def related_in(node: Association, year: int) -> list[Association]:
    """Who stands for the node in `year` (see related_in_bulk); one query, none in a year it is active."""
    return related_in_bulk([(node, year)])[(node.pk, year)]


def not_active_message(node: Association, year: int, *, who: str, related: list[Association]) -> str:
    """'`who` không còn hoạt động năm …; hội kế thừa: …' or '… chưa hoạt động năm …', naming `related`."""
    names = ", ".join(n.short_name for n in related)
    values = {"who": who, "year": year, "names": names, "first": node.active_from, "last": node.active_until}
    if ended_before(node, year):
        if related:
            return _("%(who)s không còn hoạt động năm %(year)s; hội kế thừa: %(names)s.") % values
        return _("%(who)s không còn hoạt động năm %(year)s (hoạt động đến năm %(last)s).") % values
    if related:
        return (
            _("%(who)s chưa hoạt động năm %(year)s (hoạt động từ năm %(first)s); hội tiền thân: %(names)s.")
            % values
        )
    return _("%(who)s chưa hoạt động năm %(year)s (hoạt động từ năm %(first)s).") % values
