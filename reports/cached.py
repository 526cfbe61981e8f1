"""The expensive reads of the report pages, cached under the data version (associations/data_version.py).

Each is the same for every user who may see it: the views check access (the scope, the cluster)
before asking, and nothing here depends on who asks. What is cached is plain data: a ranking's rows
(model instances and Totals dataclasses) and a report's JSON document.
"""

import dataclasses

from associations.data_version import cached_value, versioned, versioned_key
from associations.models import Association

from . import rankings, snapshot
from .models import ClusterConference


def ranking(*, year: int, scope: rankings.Scope, metric: str) -> rankings.Ranking:
    """rankings.ranking(), cached for the year, the scope and the metric; the view has checked the scope."""
    return ranking_keyed(year=year, scope=scope, metric=metric)[0]


def ranking_keyed(*, year: int, scope: rankings.Scope, metric: str) -> tuple[rankings.Ranking, str]:
    """ranking(), and the key it is cached under: the page keeps its rendered table under it too."""
    key = versioned_key(
        "ranking", year, scope.key, metric, years=(year, year - 1)
    )  # the growth on the year before
    ranked = cached_value(key, compute=lambda: rankings.ranking(year=year, scope=scope, metric=metric))
    return dataclasses.replace(ranked, scope=scope), key


def live(*, cluster: Association, year: int, conference: ClusterConference | None = None) -> dict:
    """snapshot.live(), cached for the cluster, the year and the conference; the view has checked the cluster.

    Issuing reads snapshot.live() itself: what it freezes comes from the database in its own transaction.
    """
    return versioned(
        "report",
        cluster.pk,
        year,
        conference.pk if conference is not None else "latest",
        years=(year, year - 1),  # the change on the year before
        compute=lambda: snapshot.live(cluster=cluster, year=year, conference=conference),
    )
