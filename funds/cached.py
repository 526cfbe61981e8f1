"""One node's subtree totals, cached under the data version (associations/data_version.py).

A province's or the central node's totals sum every return below it; the association page and the
entry form show them on every visit. They are the same for every user who may see the node: the
views check that before asking.
"""

from associations.data_version import versioned
from associations.models import Association

from .selectors import Totals, subtree_totals


def node_totals(*, year: int, node: Association) -> Totals:
    """subtree_totals() of one node for `year`, cached."""
    return versioned(
        "totals",
        year,
        node.pk,
        years=(year, year - 1),  # Totals carry the year before, for the change on it
        compute=lambda: subtree_totals(year=year, nodes=[node])[node.pk],
    )
