"""A figure added to the catalogue is picked up by the form, the import, the exports, the totals and
the rankings with no other edit: here an entry describing an existing column ("boards") is taken
out of the catalogue, then put back under a label and header of its own."""

import pytest

from funds import catalogue, imports
from funds.forms import ReturnForm
from funds.models import AnnualReturn
from funds.selectors import subtree_totals
from funds.spreadsheets.exports import export_file
from funds.spreadsheets.resources import AnnualReturnResource
from reports.exports import ranking_table
from reports.rankings import Metric, Scope, ScopeKind, ranking

from .conftest import YEAR
from .test_import_support import read_xlsx, xlsx

HEADER = "Số ban khuyến học (mới)"
ADDED = catalogue.Figure(
    "boards",
    "số ban khuyến học mới",
    catalogue.COUNT,
    catalogue.G_ORGANISATION,
    header=HEADER,
    max_value=catalogue.MAX_COUNT,
    optional=True,
    ranks=True,
)


@pytest.fixture
def without(monkeypatch):
    """The catalogue as it was before the figure: no "boards"."""
    before = tuple(f for f in catalogue.FIGURES if f.name != "boards")
    monkeypatch.setattr(catalogue, "FIGURES", before)
    return before


def _offered(user, tree) -> dict:
    headers = read_xlsx(export_file(user=user, kind="returns", year=YEAR, fmt="xlsx", template=True)[2])[0]
    return {
        "form": "boards" in ReturnForm().fields,
        "import": HEADER in AnnualReturnResource.headers(),
        "export": HEADER in headers,
        "rankings": "boards" in Metric.values(),
    }


def test_a_figure_added_to_the_catalogue_is_picked_up_everywhere(
    without, monkeypatch, tree, officer, settings, tmp_path
):
    settings.IMPORT_STASH_DIR = str(tmp_path)
    assert _offered(officer, tree) == {"form": False, "import": False, "export": False, "rankings": False}

    monkeypatch.setattr(catalogue, "FIGURES", (*without, ADDED))
    assert _offered(officer, tree) == {"form": True, "import": True, "export": True, "rankings": True}
    assert ReturnForm().fields["boards"].label == "Số ban khuyến học mới"

    # The import reads the new column and writes the figure.
    headers = AnnualReturnResource.headers()
    cells = {"Mã": "D1", "Cấp": "Huyện/quận", "Tên hội": "", "Năm": YEAR, HEADER: 42}
    content = xlsx([[cells.get(h) for h in headers]], headers=headers)
    preview = imports.import_preview(user=officer, content=content, filename="f.xlsx")
    assert preview.errors == []
    imports.import_confirm(user=officer, content=content, filename="f.xlsx", fingerprint=preview.fingerprint)
    assert AnnualReturn.objects.get(association=tree.d1, year=YEAR).boards == 42

    # The export writes it back, the totals sum it, the rankings rank by it with its own column.
    exported = read_xlsx(export_file(user=officer, kind="returns", year=YEAR, fmt="xlsx")[2])
    d1 = next(r for r in exported[1:] if r[0] == "D1")
    assert d1[exported[0].index(HEADER)] == 42
    assert subtree_totals(year=YEAR, nodes=[tree.p1])[tree.p1.pk].boards == 42
    result = ranking(year=YEAR, scope=Scope(ScopeKind.PROVINCES), metric="boards")
    assert [(row.association.code, row.rank, row.value) for row in result.rows][0] == ("P1", 1, 42)
    assert ranking_table(result).columns[-1].label == "Số ban khuyến học mới"


def test_the_page_queries_do_not_grow_with_the_figures_shown(
    without, monkeypatch, client, reviewer, tree, django_assert_num_queries
):
    from django.core.cache import cache
    from django.urls import reverse

    client.force_login(reviewer)
    url = reverse("association_detail", args=[tree.p1.pk])
    client.get(url)
    # Each drawn afresh (the data version, the totals' cache key, is one of the eleven): a new figure
    # comes with new code, which starts with its own cache (settings.source_digest()).
    cache.clear()
    with django_assert_num_queries(11) as fewer:
        client.get(url)
    monkeypatch.setattr(catalogue, "FIGURES", (*without, ADDED))
    cache.clear()
    with django_assert_num_queries(11) as more:
        client.get(url)
    # The totals statement sums one more column, in the same statement.
    totals = [[q["sql"] for q in c.captured_queries if "covers AS" in q["sql"]] for c in (fewer, more)]
    assert len(totals[0]) == len(totals[1]) == 1
    assert "boards" not in totals[0][0] and "boards" in totals[1][0]
