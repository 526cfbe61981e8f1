"""Behaviours added after the first review: outlier re-confirmation, admin edits and versions,
aggregates with populations but no amounts, and who gets a link to the return page."""

from django.urls import reverse

from funds.models import AnnualReturn
from funds.selectors import subtree_totals

from .conftest import YEAR
from .helpers import form_data


def test_it_does_not_ask_again_for_an_outlier_already_confirmed(officer_client, edit_url, tree, make_return):
    make_return(tree.p1, year=YEAR - 1, mobilised_cash=1_000_000)
    url = edit_url()
    assert officer_client.post(url, form_data(mobilised_cash=90_000_000, confirm=True)).status_code == 302
    saved = AnnualReturn.objects.get(association=tree.p1, year=YEAR)
    r = officer_client.post(
        url, form_data(version=saved.version, mobilised_cash=90_000_000, notes="thêm ghi chú")
    )
    assert r.status_code == 302
    saved.refresh_from_db()
    assert saved.notes == "thêm ghi chú"


def test_a_new_outlier_value_still_asks(officer_client, edit_url, tree, make_return):
    make_return(tree.p1, year=YEAR - 1, mobilised_cash=1_000_000)
    make_return(tree.p1, mobilised_cash=90_000_000)
    saved = AnnualReturn.objects.get(association=tree.p1, year=YEAR)
    r = officer_client.post(edit_url(), form_data(version=saved.version, mobilised_cash=95_000_000))
    assert r.status_code == 200 and "gấp 5 lần" in r.content.decode()
    saved.refresh_from_db()
    assert saved.mobilised_cash == 90_000_000


def test_an_admin_edit_bumps_the_version_so_open_forms_see_a_conflict(login, superuser, draft):
    client = login(superuser)
    url = reverse("admin:funds_annualreturn_change", args=[draft.pk])
    data = {
        "association": draft.association_id,
        "year": draft.year,
        "population": "1000000",
        "mobilised_cash": "41000000000",
        "status": "draft",
        "coverage": "own",
        "notes": "",
    }
    assert client.post(url, data).status_code == 302
    assert AnnualReturn.objects.get(pk=draft.pk).version == draft.version + 1


def test_a_cluster_whose_provinces_report_no_amounts_has_no_per_inhabitant(tree, make_return):
    make_return(tree.p1, population=1_000_000)
    make_return(tree.p3, mobilised_cash=5_000_000)  # no population: not divided
    totals = subtree_totals(year=YEAR, nodes=[tree.cluster_a, tree.central])
    assert totals[tree.cluster_a.pk].population == 1_000_000
    assert totals[tree.cluster_a.pk].per_inhabitant is None
    assert totals[tree.central.pk].per_inhabitant is None


def test_a_viewer_gets_a_read_link_to_an_existing_return(login, viewer, tree, make_return):
    make_return(tree.p1, mobilised_cash=1)
    body = login(viewer).get(reverse("association_detail", args=[tree.p1.pk]), {"nam": YEAR}).content.decode()
    assert reverse("return_edit", args=[tree.p1.pk, YEAR]) in body


def test_a_cluster_change_needs_the_same_provinces_both_years(tree, make_return):
    make_return(tree.p1, year=YEAR - 1, population=1_000, mobilised_cash=1_000_000)
    make_return(tree.p1, population=1_000, mobilised_cash=2_000_000)
    make_return(tree.p2, population=1_000, mobilised_cash=0)  # reports only this year
    totals = subtree_totals(year=YEAR, nodes=[tree.cluster_a])[tree.cluster_a.pk]
    assert totals.per_inhabitant == 1_000
    assert totals.per_inhabitant_change is None and totals.per_inhabitant_change_pct is None
    make_return(tree.p2, year=YEAR - 1, population=1_000, mobilised_cash=0)
    totals = subtree_totals(year=YEAR, nodes=[tree.cluster_a])[tree.cluster_a.pk]
    assert totals.per_inhabitant_change == 500  # 1.000 − (1.000.000 ÷ 2.000)
