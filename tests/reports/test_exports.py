import csv
import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from associations.models import Association, Tier
from core.tabular import neutralise
from reports.exports import export_csv, export_xlsx, ranking_table
from reports.rankings import Metric, Scope, ScopeKind, ranking

from .conftest import put_return

PAGE = reverse("rankings")


def _csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _xlsx(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _as_csv(value) -> str:
    return "" if value is None else str(value)


def _as_xlsx(value):
    return Decimal(str(value)) if isinstance(value, float) else value


def _download(client, fmt: str, params: dict):
    r = client.get(reverse("rankings_export", args=[fmt]), params)
    assert r.status_code == 200
    return r


def test_it_exports_the_rows_of_the_page_as_csv(client, reviewer, figures):
    client.force_login(reviewer)
    params = {"nam": 2022, "chi_so": Metric.CHANGE_PCT, "sap_xep": "-name"}
    page = client.get(PAGE, params).context["table"]
    r = _download(client, "csv", params)
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert r["Content-Disposition"] == (
        'attachment; filename="xep-hang-2022-provinces-per_inhabitant_change_pct.csv"'
    )
    header, *rows = _csv(r.content)
    assert header == [str(c.label) for c in page.columns]
    assert rows == [[_as_csv(v) for v in row.values] for row in page.rows]
    assert [row[1] for row in rows] == ["Một", "Hai", "Ba"]  # the page's sort, not the rank order
    assert rows[0][-1] == "33.3"


def test_it_exports_the_rows_of_the_page_as_xlsx(client, officer, figures):
    client.force_login(officer)
    params = {"nam": 2022, "pham_vi": f"tinh-{figures.p1.pk}", "chi_so": Metric.MOBILISED}
    page = client.get(PAGE, params).context["table"]
    r = _download(client, "xlsx", params)
    assert r["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert r["Content-Disposition"].endswith(f'-tinh-{figures.p1.pk}-mobilised.xlsx"')
    header, *rows = _xlsx(r.content)
    assert header == [str(c.label) for c in page.columns]
    assert rows == [row.values for row in page.rows]
    assert rows == [
        [1, "Đông", "D1", "Cụm A", 300_000, 300_000, 600_000],
        [2, "Trung", "C3", "Cụm A", 200_000, None, 200_000],
    ]


def test_it_puts_the_same_rows_in_csv_and_xlsx(client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="trunguong"))
    params = {"nam": 2022, "chi_so": Metric.PER_INHABITANT}
    page = client.get(PAGE, params).context["table"]
    from_csv = _csv(_download(client, "csv", params).content)
    from_xlsx = _xlsx(_download(client, "xlsx", params).content)
    assert len(from_csv) == len(from_xlsx) == len(page.rows) + 1 == 64
    assert from_csv == [[_as_csv(v) for v in row] for row in from_xlsx]
    assert from_xlsx[1][:2] == [1, "Hòa Bình"]
    tuyen_quang = next(row for row in from_xlsx if row[1] == "Tuyên Quang")
    assert tuyen_quang[0] is None and tuyen_quang[-1] is None


def test_it_keeps_percentages_and_negative_numbers_as_numbers(figures):
    put_return(figures.p3, 2021, population=100, mobilised_cash=100_000)
    put_return(figures.p3, 2022, population=100, mobilised_cash=50_000)  # −500 đ/người, −50 %
    table = ranking_table(ranking(year=2022, scope=Scope(ScopeKind.PROVINCES), metric=Metric.CHANGE))
    _name, _type, content = export_xlsx(table, name="x")
    last = _xlsx(content)[-1]
    assert last[1] == "Ba" and last[-2:] == [-500, -50]
    assert isinstance(last[-2], int)
    _name, _type, content = export_csv(table, name="x")
    assert _csv(content)[-1][-2:] == ["-500", "-50.0"]


def test_it_neutralises_text_that_a_spreadsheet_would_run(figures):
    Association.objects.filter(pk=figures.p1.pk).update(short_name='=HYPERLINK("http://x","y")')
    Association.objects.filter(pk=figures.p2.pk).update(short_name="@SUM(A1)", code="-1")
    Association.objects.filter(pk=figures.cluster_a.pk).update(short_name="+Cụm")
    table = ranking_table(ranking(year=2022, scope=Scope(ScopeKind.PROVINCES), metric=Metric.PER_INHABITANT))
    csv_rows = _csv(export_csv(table, name="x")[2])
    xlsx_rows = _xlsx(export_xlsx(table, name="x")[2])
    for rows in (csv_rows, xlsx_rows):
        assert rows[1][1:4] == ['\'=HYPERLINK("http://x","y")', "P1", "'+Cụm"]
        assert rows[2][1:4] == ["'@SUM(A1)", "'-1", "'+Cụm"]
    assert xlsx_rows[1][-1] == 2000 and csv_rows[1][-1] == "2000"
    sheet = load_workbook(io.BytesIO(export_xlsx(table, name="x")[2])).active
    assert sheet["B2"].data_type == "s"


def test_it_leaves_plain_values_alone():
    assert neutralise("Hòa Bình") == "Hòa Bình"
    assert neutralise(-5) == -5
    assert neutralise(Decimal("-1.5")) == Decimal("-1.5")
    assert neutralise(None) is None
    assert neutralise("\tx") == "'\tx"


def test_it_is_404_for_an_unknown_format(client, officer, figures):
    client.force_login(officer)
    assert client.get(reverse("rankings_export", args=["pdf"])).status_code == 404


def test_it_is_404_to_export_inside_another_province(client, officer, figures):
    client.force_login(officer)
    r = client.get(reverse("rankings_export", args=["csv"]), {"pham_vi": f"tinh-{figures.p2.pk}"})
    assert r.status_code == 404


def test_it_sends_anonymous_downloads_to_login(client, figures):
    r = client.get(reverse("rankings_export", args=["xlsx"]))
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_it_exports_every_cluster_of_the_demo(client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="taybac"))
    cluster = Association.objects.get(tier=Tier.CLUSTER, code="CUM01")
    rows = _csv(_download(client, "csv", {"nam": 2022, "pham_vi": f"cum-{cluster.pk}"}).content)
    assert [row[1] for row in rows[1:6]] == ["Hòa Bình", "Điện Biên", "Lào Cai", "Hà Giang", "Lai Châu"]
