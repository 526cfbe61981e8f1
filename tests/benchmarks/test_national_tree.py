"""`make bench`: the full 2022 tree (~10,800 associations) with ten years of figures.

Prints timings and query counts of the reads behind the main pages; the query counts must not
depend on the size of the tree.
"""

import io
import random
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from associations.models import Association, Tier
from funds.models import AnnualReturn
from funds.selectors import subtree_totals
from reports.selectors import cluster_report

pytestmark = pytest.mark.benchmark
YEARS = range(2016, 2026)


@pytest.fixture
def national(db, settings):
    settings.DEBUG = True
    start = time.perf_counter()
    call_command("load_demo", "--full", stdout=io.StringIO())
    rng = random.Random(2022)
    ids = list(Association.objects.exclude(tier__in=[Tier.CENTRAL, Tier.CLUSTER]).values_list("pk", "tier"))
    existing = set(AnnualReturn.objects.values_list("association_id", "year"))
    rows = [
        AnnualReturn(
            association_id=pk,
            year=year,
            population=rng.randint(2_000, 20_000) * (100 if tier == Tier.PROVINCE else 1),
            mobilised_cash=rng.randint(0, 10**9),
            mobilised_in_kind=rng.randint(0, 10**8),
            fund_balance=rng.randint(0, 10**9),
        )
        for pk, tier in ids
        for year in YEARS
        if (pk, year) not in existing
    ]
    AnnualReturn.objects.bulk_create(rows, batch_size=2000)
    # Fresh statistics after the bulk load, as a real import would leave them after autovacuum;
    # without them PostgreSQL plans the reads for nearly empty tables.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"\nnational tree: {len(ids)} associations, {AnnualReturn.objects.count()} returns, "
        f"loaded in {time.perf_counter() - start:.1f} s"
    )


def _measure(label, fn):
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
    print(f"{label}: {elapsed * 1000:.0f} ms, {len(ctx.captured_queries)} queries")
    return result, len(ctx.captured_queries)


def test_reads_on_the_national_tree(national):
    central = Association.objects.get(tier=Tier.CENTRAL)
    # The tree of 2022: 63 provinces (the 34 of 2025 reuse some codes, so every lookup names its year).
    provinces = list(Association.objects.active_in(2022).of_tier(Tier.PROVINCE))
    _, q1 = _measure(
        f"subtree totals, {len(provinces)} provinces + central",
        lambda: subtree_totals(year=2022, nodes=[*provinces, central]),
    )
    ha_giang = Association.objects.active_in(2022).get(tier=Tier.PROVINCE, code="02")
    communes = list(Association.objects.active_in(2022).of_tier(Tier.COMMUNE).in_subtree_of(ha_giang))
    _, q2 = _measure(
        f"subtree totals, {len(communes)} communes of Hà Giang",
        lambda: subtree_totals(year=2022, nodes=communes),
    )
    tay_bac = Association.objects.active_in(2022).get(tier=Tier.CLUSTER, code="CUM01")
    _, q3 = _measure(
        "cluster report selector, Tây Bắc 2022", lambda: cluster_report(cluster=tay_bac, year=2022)
    )
    # The report looks up the year's conference itself here: ten queries (reports.selectors.cluster_report).
    assert q1 == 2 and q2 == 2 and q3 == 10
