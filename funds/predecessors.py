"""A node the 2025 reform created, before it began: its predecessors side by side, never apportioned.

The sums follow funds.selectors.Lineage; this module only lays them out year by year for the page.
"""

from dataclasses import dataclass

from associations.models import Association, Tier

from .selectors import Lineage, Predecessor, Totals, _fill, _fill_derived, _ids_sql, _year_sums, lineages


@dataclass
class PredecessorRow:
    """One predecessor's totals for one year, as it reported them (a split one in full)."""

    predecessor: Predecessor
    totals: Totals


@dataclass
class PredecessorYear:
    """The predecessors of a node side by side for a year before it began, and their sum where one is made."""

    year: int
    rows: list[PredecessorRow]
    summed: Totals


@dataclass
class PredecessorTable:
    lineage: Lineage
    years: list[PredecessorYear]

    @property
    def split(self) -> list[Predecessor]:
        """The predecessors that other nodes succeed too: why nothing is summed."""
        return [p for p in self.lineage.predecessors if p.others]


def predecessor_table(*, node: Association, years: int = 5) -> PredecessorTable | None:
    """The node's predecessors' totals for up to `years` years before it began, from the first with a return.

    None for a node with no predecessors or no first year. Each predecessor is shown whole, never
    apportioned; the sum row follows Lineage's rule (none when a predecessor was split). Two
    queries (the predecessors, their sums), none for a node that has always been.
    """
    if node.active_from is None or node.tier in (Tier.CLUSTER, Tier.CENTRAL):
        return None
    lineage = lineages([node.pk]).get(node.pk)
    if lineage is None:
        return None
    span = list(range(lineage.active_from - years, lineage.active_from))
    ids_sql, params = _ids_sql([p.pk for p in lineage.predecessors])
    sums = _year_sums(years=span, nodes_sql=ids_sql, params=params)
    reported = sorted(year for _pk, year in sums)
    table = PredecessorTable(lineage=lineage, years=[])
    for year in span[span.index(reported[0]) :] if reported else []:
        rows = []
        for p in lineage.predecessors:
            totals = Totals(node_id=p.pk, year=year)
            _fill(totals, sums.get((p.pk, year)), None)
            rows.append(PredecessorRow(predecessor=p, totals=totals))
        summed = Totals(node_id=node.pk, year=year)
        derived = lineage.derive(year, sums)
        _fill(summed, derived, None)
        _fill_derived(summed, derived, None, lineage)
        table.years.append(PredecessorYear(year=year, rows=rows, summed=summed))
    return table
