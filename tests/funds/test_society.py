"""Figures beyond money in the totals: members, chapters, boards, the learning titles' shares and their
progress on the national targets, pay-outs; summed by the all-levels rule like money."""

import random
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse

from associations.data_version import bump_data_version
from associations.services import association_create
from funds import catalogue
from funds.models import AnnualReturn
from funds.selectors import subtree_totals
from funds.society import commune_counts, title_progress

from .conftest import YEAR
from .helpers import form_data, table_rows

CHILDREN = {
    "central": ["cluster_a", "cluster_b"],
    "cluster_a": ["p1", "p2"],
    "cluster_b": ["p3"],
    "p1": ["d1", "c3"],
    "p2": ["d2"],
    "d1": ["c1", "c2"],
    "d2": ["c4"],
}


def _expected_total(node: str, returns: dict, value) -> int | None:
    """The all-levels rule, walked in Python over the test's own tree: an independent computation."""
    own = returns.get(node)
    if own is not None and own["coverage"] == "all":
        return value(own)
    parts = [value(own)] if own is not None else []
    parts += [_expected_total(child, returns, value) for child in CHILDREN.get(node, [])]
    parts = [p for p in parts if p is not None]
    return sum(parts) if parts else None


def _expected_share(node: str, returns: dict, figure: catalogue.Figure) -> Decimal | None:
    def paired(name, other):
        return lambda r: r.get(name) if r.get(other) is not None else None

    num = _expected_total(node, returns, paired(figure.numerator, figure.denominator))
    den = _expected_total(node, returns, paired(figure.denominator, figure.numerator))
    if num is None or not den:
        return None
    return (Decimal(num) * 100 / den).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@pytest.mark.parametrize("seed", range(4))
def test_shares_are_ratios_of_sums_across_tiers(seed, tree):
    rng = random.Random(seed)
    returns = {}
    for name in ["p1", "p2", "p3", "d1", "d2", "c1", "c2", "c3", "c4"]:
        if rng.random() < 0.2:
            continue
        values = {"coverage": "all" if name in ("p2", "d1") and rng.random() < 0.5 else "own"}
        for share in catalogue.shares():
            if rng.random() < 0.8:
                values[share.denominator] = rng.randrange(1, 5000)
            if rng.random() < 0.8:
                values[share.numerator] = rng.randrange(0, values.get(share.denominator, 5000))
        returns[name] = values
        AnnualReturn.objects.create(association=getattr(tree, name), year=YEAR, **values)
    names = ["central", "cluster_a", "cluster_b", "p1", "p2", "p3", "d1"]
    totals = subtree_totals(year=YEAR, nodes=[getattr(tree, n) for n in names])
    for name in names:
        t = totals[getattr(tree, name).pk]
        for share in catalogue.shares():
            assert getattr(t, share.name) == _expected_share(name, returns, share), (name, share.name)


def test_a_share_is_not_an_average_of_the_shares(tree, make_return):
    make_return(tree.c1, learning_families_recognised=90, households=100)  # 90 %
    make_return(tree.c2, learning_families_recognised=10, households=900)  # 1,1 %
    assert subtree_totals(year=YEAR, nodes=[tree.d1])[tree.d1.pk].learning_families_share == Decimal("10.0")


def test_a_return_without_the_denominator_adds_nothing_to_the_share(tree, make_return):
    make_return(tree.c1, learning_families_recognised=50, households=100)
    make_return(tree.c2, learning_families_recognised=500)
    totals = subtree_totals(year=YEAR, nodes=[tree.d1])[tree.d1.pk]
    assert totals.learning_families_recognised == 550
    assert totals.learning_families_share == Decimal("50.0")


def test_a_missing_denominator_gives_no_share_and_no_progress(tree, make_return):
    make_return(tree.p1, learning_families_recognised=50, members=10)
    totals = subtree_totals(year=YEAR, nodes=[tree.p1])[tree.p1.pk]
    assert totals.learning_families_share is None
    assert totals.learning_families_share_progress is None
    assert totals.members_share is None  # no population either


def test_progress_is_the_share_over_the_target_of_the_year(tree, make_return):
    make_return(tree.p1, year=2025, learning_families_recognised=35, households=100)
    make_return(tree.p1, year=2026, learning_citizens=30, adults=100)
    t2025 = subtree_totals(year=2025, nodes=[tree.p1])[tree.p1.pk]
    assert t2025.learning_families_share_progress == Decimal("50.0")  # 35 % of 70 %
    t2026 = subtree_totals(year=2026, nodes=[tree.p1])[tree.p1.pk]
    assert t2026.learning_citizens_share_progress == Decimal("50.0")  # 30 % of the 2030 target, 60 %


def test_members_share_of_a_cluster_counts_only_provinces_with_a_population(tree, make_return):
    make_return(tree.p1, population=1000, members=100)
    make_return(tree.p2, members=5000)
    totals = subtree_totals(year=YEAR, nodes=[tree.cluster_a])[tree.cluster_a.pk]
    assert totals.members == 5100
    assert totals.members_share == Decimal("10.0")


def test_payouts_total_is_the_split_where_given_else_the_unsplit_amount(tree, make_return):
    make_return(tree.c1, payout_scholarships=3_000_000, payout_support=2_000_000, payout_awards_recipients=4)
    make_return(tree.c2, awards_paid=7_000_000)
    totals = subtree_totals(year=YEAR, nodes=[tree.d1, tree.c1, tree.c2])
    assert totals[tree.c1.pk].payouts == 5_000_000
    assert totals[tree.c2.pk].payouts == 7_000_000
    assert totals[tree.d1.pk].payouts == 12_000_000
    assert totals[tree.d1.pk].awards_paid == 7_000_000
    assert totals[tree.d1.pk].payout_awards_recipients == 4


def test_it_counts_the_commune_associations_from_the_tree_for_the_year(tree):
    association_create(
        tier="commune", name="Xã Mới", short_name="Mới", code="C9", parent=tree.d1, active_from=2026
    )
    counts = commune_counts(year=YEAR, nodes=[tree.central, tree.p1, tree.d1, tree.p3])
    assert counts == {tree.central.pk: 4, tree.p1.pk: 3, tree.d1.pk: 2, tree.p3.pk: 0}
    assert commune_counts(year=2026, nodes=[tree.d1]) == {tree.d1.pk: 3}


def test_title_progress_lists_every_share_with_its_counts(tree, make_return):
    make_return(tree.p1, learning_units_registered=9, learning_units_recognised=8, organisations=10)
    rows = {r.figure.name: r for r in title_progress(subtree_totals(year=YEAR, nodes=[tree.p1])[tree.p1.pk])}
    assert list(rows) == [f.name for f in catalogue.shares()]
    units = rows["learning_units_share"]
    assert (units.registered, units.recognised, units.denominator) == (9, 8, 10)
    assert (units.share, units.target.pct, units.progress) == (Decimal("80.0"), 80, Decimal("100.0"))


def test_an_officer_enters_the_new_figures_and_the_province_page_shows_the_shares(
    tree, officer_client, edit_url, reviewer, login
):
    figures = {
        "members": 12_000,
        "chapters": 300,
        "boards": 120,
        "learning_families_registered": "9.000",
        "learning_families_recognised": "7.000",
        "households": "10.000",
        "learning_clans_registered": 50,
        "learning_clans_recognised": 13,
        "clans": 40,
        "learning_communities_registered": 30,
        "learning_communities_recognised": 26,
        "villages": 40,
        "learning_units_registered": 20,
        "learning_units_recognised": 16,
        "organisations": 40,
        "payout_scholarships": "50 triệu",
        "payout_scholarships_recipients": 25,
        "payout_support": "20 triệu",
        "payout_support_recipients": 40,
        "payout_awards": "10 triệu",
        "payout_awards_recipients": 12,
    }
    response = officer_client.post(edit_url(tree.d1), form_data(population=100_000, **figures))
    assert response.status_code == 302
    saved = AnnualReturn.objects.get(association=tree.d1, year=YEAR)
    assert (saved.households, saved.payout_scholarships) == (10_000, 50_000_000)

    page = login(reviewer).get(reverse("association_detail", args=[tree.p1.pk]), {"nam": YEAR})
    rows = {r[0]: r[1:] for r in table_rows(page, "titles")}
    assert rows["Tỷ lệ gia đình học tập"][3:] == ["70,0%", "70% năm 2025, QĐ 387/QĐ-TTg", "100,0%"]
    assert rows["Tỷ lệ dòng họ học tập"][3:] == ["32,5%", "65% năm 2025, QĐ 387/QĐ-TTg", "50,0%"]
    assert rows["Tỷ lệ cộng đồng học tập"][3] == "65,0%"
    assert rows["Tỷ lệ đơn vị học tập"][3:] == ["40,0%", "80% năm 2025, QĐ 387/QĐ-TTg", "50,0%"]
    assert rows["Tỷ lệ công dân học tập trong người lớn"][3:] == ["—", "40% năm 2025, QĐ 677/QĐ-TTg", "—"]
    body = page.content.decode()
    assert "12.000" in body and "80 triệu đồng" in body


def test_the_entry_form_refuses_both_payouts_at_the_unsplit_field(tree, officer_client, edit_url):
    response = officer_client.post(edit_url(), form_data(awards_paid="5 triệu", payout_awards="1 triệu"))
    assert response.status_code == 200
    assert "awards_paid" in response.context["form"].errors
    assert not AnnualReturn.objects.exists()


def test_the_entry_form_groups_the_figures_by_catalogue_group(officer_client, edit_url):
    form = officer_client.get(edit_url()).context["form"]
    assert [group for group, _heading, _fields in form.sections] == ["organisation", "titles", "payouts"]
    for group, _heading, fields in form.sections:
        assert [f.name for f in fields] == catalogue.names(group=group, column=True)


def test_hagiang_enters_a_districts_new_figures_and_the_province_page_shows_progress(client, demo):
    from django.contrib.auth import get_user_model

    from associations.models import Association, Tier

    client.force_login(get_user_model().objects.get(username="hagiang"))
    province = Association.objects.active_in(2023).get(tier=Tier.PROVINCE, code="02")
    district = province.get_children().filter(tier=Tier.DISTRICT).order_by("sort_key").first()
    # The province's own return, if the demo has one for the year, covers its own level only: the
    # districts' figures add up into the province's total (the "toàn tỉnh" case follows below).
    AnnualReturn.objects.filter(association=province, year=2023).update(coverage="own")
    figures = {
        "members": "25.000",
        "chapters": 180,
        "boards": 90,
        "learning_families_registered": "20.000",
        "learning_families_recognised": "14.000",
        "households": "20.000",
        "learning_clans_registered": 60,
        "learning_clans_recognised": 39,
        "clans": 60,
        "learning_communities_registered": 100,
        "learning_communities_recognised": 52,
        "villages": 80,
        "learning_units_registered": 50,
        "learning_units_recognised": 45,
        "organisations": 50,
        "payout_scholarships": "120 triệu",
        "payout_scholarships_recipients": 60,
        "payout_support": "80 triệu",
        "payout_support_recipients": 100,
        "payout_awards": "40 triệu",
        "payout_awards_recipients": 30,
    }
    response = client.post(reverse("return_edit", args=[district.pk, 2023]), form_data(**figures))
    assert response.status_code == 302, response.context["form"].errors

    page = client.get(reverse("association_detail", args=[province.pk]), {"nam": 2023})
    rows = {r[0]: r[1:] for r in table_rows(page, "titles")}
    assert rows["Tỷ lệ gia đình học tập"][3:] == ["70,0%", "70% năm 2025, QĐ 387/QĐ-TTg", "100,0%"]
    assert rows["Tỷ lệ dòng họ học tập"][3:] == ["65,0%", "65% năm 2025, QĐ 387/QĐ-TTg", "100,0%"]
    assert rows["Tỷ lệ cộng đồng học tập"][3:] == ["65,0%", "65% năm 2025, QĐ 387/QĐ-TTg", "100,0%"]
    assert rows["Tỷ lệ đơn vị học tập"][3:] == ["90,0%", "80% năm 2025, QĐ 387/QĐ-TTg", "112,5%"]
    own = client.get(reverse("association_detail", args=[district.pk]), {"nam": 2023}).content.decode()
    assert "25.000" in own and "240 triệu đồng" in own  # members; the pay-out total

    # A province that reports "toàn tỉnh" without the titles: its total has none, and the page shows
    # beside it what the districts add up to (the all-levels rule counts nothing twice).
    AnnualReturn.objects.update_or_create(association=province, year=2023, defaults={"coverage": "all"})
    bump_data_version()  # a write past the services: counted as they count theirs, or the page is cached
    page = client.get(reverse("association_detail", args=[province.pk]), {"nam": 2023})
    rows = {r[0]: r[1:] for r in table_rows(page, "titles")}
    assert rows["Tỷ lệ gia đình học tập"][3:] == [
        "— (các hội cấp dưới: 70,0%)",
        "70% năm 2025, QĐ 387/QĐ-TTg",
        "— (các hội cấp dưới: 100,0%)",
    ]


def test_beside_an_all_levels_return_without_a_title_the_returns_below_are_reconciled(tree, make_return):
    make_return(tree.p1, coverage="all", mobilised_cash=1_000)
    make_return(tree.d1, learning_families_recognised=30, households=100)
    make_return(tree.c3, learning_families_recognised=40, households=100)
    totals = subtree_totals(year=YEAR, nodes=[tree.p1])[tree.p1.pk]
    assert totals.learning_families_share is None  # the all-levels return gives none: nothing counted twice
    row = next(r for r in title_progress(totals) if r.figure.name == "learning_families_share")
    assert (row.share, row.below_share, row.below_progress) == (None, Decimal("35.0"), Decimal("50.0"))
