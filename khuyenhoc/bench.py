"""`make bench`: each main page's time and query count, beside the time of its bare SQL.

The pages are requested in-process through Django's test client, as the signed-in demo users, on
a throw-away test database (never the one `make run` uses). For each page: the median and p95 of
`repeat` requests with an empty cache (the first read after a write), the median with a warm one, the number of statements, and the time the same statements take when sent
straight to the database (recorded once through an execute wrapper, replayed `repeat` times). The
ratio of the two says what the page spends above its SQL: templates, Python, the ORM.

It runs at demo size and at national size (every 2022 district and commune and every 2025 commune,
with ten years of generated returns), and also measures subtree totals against a naive walk of the
tree, the PDF of the largest cluster with a scholarship on every district and commune, and the
import of a whole year's returns (every 2022 association, one figure changed in each row).
"""

import csv
import io
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from associations.models import Association, Tier
from funds.models import AnnualReturn, Scholarship
from funds.selectors import subtree_totals
from reports.models import ClusterConference

YEARS = range(2016, 2026)
GENERATOR_SEED = 2022


@dataclass
class Measure:
    size: str
    name: str
    median_ms: float
    p95_ms: float
    queries: int
    sql_ms: float | None = None
    warm_ms: float | None = None  # the same page with the cache filled by the request before

    @property
    def ratio(self) -> float | None:
        return self.median_ms / self.sql_ms if self.sql_ms else None


def load(size: str) -> dict:
    """Fill the (empty, throw-away) database: the demo, and at national size ten years of returns."""
    with override_settings(DEBUG=True):  # the demo users
        call_command("load_demo", *(["--full"] if size == "national" else []), stdout=io.StringIO())
    if size == "national":
        generate_returns()
    analyze()
    return {
        "associations": Association.objects.count(),
        "returns": AnnualReturn.objects.count(),
    }


def generate_returns() -> None:
    """Ten years of deterministic returns for every association that has none, as bulk rows.

    Bench data only: it goes straight to the table, around the services, since it must fill an
    empty throw-away database with 100.000 rows in seconds and nobody reads its history.
    """
    rng = random.Random(GENERATOR_SEED)
    nodes = Association.objects.exclude(tier__in=[Tier.CENTRAL, Tier.CLUSTER]).values_list(
        "pk", "tier", "active_from", "active_until"
    )
    existing = set(AnnualReturn.objects.values_list("association_id", "year"))
    rows = [
        AnnualReturn(
            association_id=pk,
            year=year,
            population=rng.randint(2_000, 20_000) * (100 if tier == Tier.PROVINCE else 1),
            mobilised_cash=rng.randint(0, 10**9),
            mobilised_in_kind=rng.randint(0, 10**8),
            fund_balance=rng.randint(0, 10**9),
            status=AnnualReturn.Status.SUBMITTED,
        )
        for pk, tier, first, last in nodes
        for year in YEARS
        if (first is None or first <= year) and (last is None or year <= last) and (pk, year) not in existing
    ]
    AnnualReturn.objects.bulk_create(rows, batch_size=2000)


def analyze() -> None:
    """Fresh planner statistics after a bulk load, or PostgreSQL plans as if the tables were empty."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def pages() -> list[tuple[str, str, str]]:
    """(name, username, url) of the main pages, on the nodes of the article's cluster."""
    central = Association.objects.get(tier=Tier.CENTRAL)
    tay_bac = Association.objects.get(tier=Tier.CLUSTER, code="CUM01")
    ha_giang = Association.objects.active_in(2022).get(tier=Tier.PROVINCE, code="02")
    conference = ClusterConference.objects.get(cluster=tay_bac, year=2022)
    return [
        ("home (reviewer)", "trunguong", reverse("home")),
        (
            "association: central 2022",
            "trunguong",
            reverse("association_detail", args=[central.pk]) + "?nam=2022",
        ),
        (
            "association: Hà Giang 2022",
            "hagiang",
            reverse("association_detail", args=[ha_giang.pk]) + "?nam=2022",
        ),
        ("entry: Hà Giang 2022", "hagiang", reverse("return_edit", args=[ha_giang.pk, 2022])),
        ("rankings: provinces 2022", "trunguong", reverse("rankings") + "?nam=2022"),
        ("rankings: provinces 2025", "trunguong", reverse("rankings") + "?nam=2025"),
        ("rankings: clusters 2022", "trunguong", reverse("rankings") + "?nam=2022&pham_vi=clusters"),
        ("completeness 2022", "trunguong", reverse("completeness") + "?nam=2022"),
        ("review queue 2022", "trunguong", reverse("review_list") + "?nam=2022"),
        ("cluster report: Tây Bắc 2022", "taybac", reverse("conference_report", args=[conference.pk])),
        ("export: Hà Giang 2022 (csv)", "hagiang", reverse("export_returns", args=["csv"]) + "?nam=2022"),
        ("trend: Hà Giang", "hagiang", reverse("province_trends", args=[ha_giang.pk]) + "?nam=2024"),
    ]


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _timed(fn: Callable, repeat: int) -> list[float]:
    fn()  # warm: templates compiled, fonts loaded, caches as a second visitor finds them
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


class _Recorder:
    """An execute wrapper that keeps each statement and its parameters, to replay them bare."""

    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params, many))
        return execute(sql, params, many, context)


def _replay(statements) -> None:
    with connection.cursor() as cursor:
        for sql, params, many in statements:
            # Only reads are replayed: a page that writes (the session's touch) is timed without it.
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            if many:
                cursor.executemany(sql, params)
            else:
                cursor.execute(sql, params)
                cursor.fetchall()


def measure_page(size: str, name: str, username: str, url: str, repeat: int) -> Measure:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))

    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{name}: {url} answered {response.status_code}")

    def cold():
        # The first read after a write: the data version moved, nothing of the page is cached.
        cache.clear()
        get()

    timings = _timed(cold, repeat)
    warm = _timed(get, repeat)
    recorder = _Recorder()
    cache.clear()
    with connection.execute_wrapper(recorder):
        get()
    sql = _timed(lambda: _replay(recorder.statements), repeat)
    return Measure(
        size=size,
        name=name,
        median_ms=statistics.median(timings),
        p95_ms=_percentile(timings, 95),
        queries=len(recorder.statements),
        sql_ms=statistics.median(sql),
        warm_ms=statistics.median(warm),
    )


def naive_totals(node: Association, year: int) -> int:
    """The mobilised of a subtree by walking it node by node, one query per node: what the SQL avoids."""
    own = AnnualReturn.objects.filter(association=node, year=year).first()
    if own is not None and own.coverage == AnnualReturn.Coverage.ALL:
        return own.mobilised_total or 0
    below = sum(naive_totals(child, year) for child in node.get_children())
    return (own.mobilised_total or 0 if own else 0) + below


def measure_totals(size: str, repeat: int) -> list[Measure]:
    # 2020: own-level returns at every tier (generated), so that the walk has to go all the way down;
    # in 2022 Hà Giang's all-levels return would stop it at the top.
    ha_giang = Association.objects.active_in(2020).get(tier=Tier.PROVINCE, code="02")
    results = []
    for name, fn in [
        ("subtree totals: Hà Giang 2020 (SQL)", lambda: subtree_totals(year=2020, nodes=[ha_giang])),
        ("subtree totals: Hà Giang 2020 (naive walk)", lambda: naive_totals(ha_giang, 2020)),
    ]:
        recorder = _Recorder()
        with connection.execute_wrapper(recorder):
            fn()
        timings = _timed(fn, max(3, repeat // 5) if "naive" in name else repeat)
        results.append(
            Measure(
                size, name, statistics.median(timings), _percentile(timings, 95), len(recorder.statements)
            )
        )
    return results


def measure_pdf(size: str, repeat: int) -> Measure:
    """The PDF of the cluster with the most associations, with a scholarship on every district and commune."""
    from reports.rendering import render_pdf
    from reports.snapshot import live

    clusters = Association.objects.active_in(2022).of_tier(Tier.CLUSTER)
    largest = max(clusters, key=lambda c: c.get_descendant_count())
    below = largest.get_descendants().active_in(2022).filter(tier__in=[Tier.DISTRICT, Tier.COMMUNE])
    Scholarship.objects.bulk_create(
        (
            Scholarship(
                association=n, year=2022, programme=f"Học bổng {n.short_name}", awards=5, total_value=10**7
            )
            for n in below
        ),
        ignore_conflicts=True,
    )
    count = below.count()
    timings = _timed(lambda: render_pdf(live(cluster=largest, year=2022)), max(3, repeat // 3))
    return Measure(
        size,
        f"PDF: {largest.short_name} 2022, {count} scholarships below the provinces",
        statistics.median(timings),
        _percentile(timings, 95),
        0,
    )


def import_file(year: int) -> tuple[object, bytes]:
    """(user, CSV) of every return of `year` as the export writes it, each cash figure one đồng up."""
    from funds.spreadsheets.exports import export_file

    user, _created = get_user_model().objects.get_or_create(
        username="bench-importer", defaults={"is_superuser": True, "is_staff": True}
    )
    _name, _type, content = export_file(user=user, kind="returns", year=year, fmt="csv")
    text = content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    cash = rows[0].index("Vận động bằng tiền")
    for row in rows[1:]:
        row[cash] = str(int(row[cash] or 0) + 1)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return user, out.getvalue().encode("utf-8-sig")


def measure_import(size: str, repeat: int) -> list[Measure]:
    """A whole year's returns imported back with every row changed: the preview, then the confirmation."""
    from funds import imports

    user, content = import_file(2022)
    lines = content.count(b"\n") - 1
    timings = _timed(lambda: imports.import_preview(user=user, content=content, filename="bench.csv"), 2)
    preview = imports.import_preview(user=user, content=content, filename="bench.csv")
    if preview.errors or preview.new + preview.changed != lines:
        written = preview.new + preview.changed
        raise RuntimeError(f"bench import: {len(preview.errors)} errors, {written} of {lines} rows written")
    start = time.perf_counter()
    # A blank figure now 1 đồng, or generated figures a year apart, may be outliers: confirmed, as the
    # officer does with the box on the preview.
    imports.import_confirm(
        user=user,
        content=content,
        filename="bench.csv",
        fingerprint=preview.fingerprint,
        confirm_outliers=True,
    )
    confirm_ms = (time.perf_counter() - start) * 1000
    return [
        Measure(size, f"import preview: {lines} rows", statistics.median(timings), max(timings), 0),
        Measure(size, f"import confirm: {lines} rows written", confirm_ms, confirm_ms, 0),
    ]


def run(size: str, repeat: int, log: Callable[[str], None]) -> tuple[dict, list[Measure]]:
    start = time.perf_counter()
    counts = load(size)
    log(
        f"{size}: {counts['associations']} associations, {counts['returns']} returns, "
        f"loaded in {time.perf_counter() - start:.0f} s"
    )
    # The test client's host name, as the test runner allows it.
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        results = [measure_page(size, name, user, url, repeat) for name, user, url in pages()]
    results += measure_totals(size, repeat)
    results.append(measure_pdf(size, repeat))
    results += measure_import(size, repeat)
    return counts, results


def table(results: list[Measure]) -> str:
    head = f"{'size':8} {'page (cold cache)':52} {'median':>8} {'p95':>8} {'queries':>7} {'SQL':>8} {'× SQL':>6} {'warm':>7}"
    lines = [head, "-" * len(head)]
    for m in results:
        sql = f"{m.sql_ms:8.1f}" if m.sql_ms else f"{'':>8}"
        ratio = f"{m.ratio:6.1f}" if m.ratio else f"{'':>6}"
        warm = f"{m.warm_ms:7.1f}" if m.warm_ms else ""
        lines.append(
            f"{m.size:8} {m.name[:52]:52} {m.median_ms:8.1f} {m.p95_ms:8.1f} {m.queries:7d} {sql} {ratio} {warm}"
        )
    return "\n".join(lines)


def as_json(results: list[Measure]) -> list[dict]:
    return [{**asdict(m), "ratio": m.ratio} for m in results]
