"""Rows that belong to an association are seen where it is seen, and changed where its figures may be."""

import pytest
from django.contrib.auth.models import AnonymousUser

from funds.models import AnnualReturn, Fund, FundBalance, Scholarship, Transfer

from .conftest import YEAR

MODELS = [AnnualReturn, Fund, FundBalance, Scholarship, Transfer]


@pytest.fixture
def rows(tree, make_return):
    """One row of each model for P1 (inside the officer's subtree) and one for P2 (outside)."""
    made = {}
    for node in (tree.p1, tree.p2):
        fund = Fund.objects.create(association=node, name=f"Quỹ {node.code}")
        made[node.code] = [
            make_return(node),
            fund,
            FundBalance.objects.create(fund=fund, year=YEAR, balance=1),
            Scholarship.objects.create(association=node, year=YEAR, programme="Học bổng"),
            Transfer.objects.create(recipient=node, giver=tree.p3, year=YEAR, purpose="Tặng"),
        ]
    return made


@pytest.mark.parametrize("index", range(len(MODELS)), ids=[m.__name__ for m in MODELS])
def test_it_shows_each_user_the_rows_of_their_subtree(index, rows, officer, viewer, outsider, reviewer):
    model = MODELS[index]
    p1_row, p2_row = rows["P1"][index], rows["P2"][index]
    assert list(model.objects.visible_to(officer)) == [p1_row]
    assert list(model.objects.visible_to(viewer)) == [p1_row]
    assert list(model.objects.visible_to(outsider)) == [p2_row]
    assert set(model.objects.visible_to(reviewer)) == {p1_row, p2_row}
    assert not model.objects.visible_to(AnonymousUser()).exists()


@pytest.mark.parametrize("index", range(len(MODELS)), ids=[m.__name__ for m in MODELS])
def test_it_lets_only_officers_change_rows(index, rows, officer, viewer, reviewer, chair, superuser):
    model = MODELS[index]
    assert list(model.objects.editable_by(officer)) == [rows["P1"][index]]
    assert not model.objects.editable_by(viewer).exists()
    assert not model.objects.editable_by(reviewer).exists()  # approving is not entering figures
    assert not model.objects.editable_by(chair).exists()
    assert model.objects.editable_by(superuser).count() == 2


def test_it_gives_a_transfer_to_its_recipient_not_its_giver(rows, tree, django_user_model):
    from associations.models import RoleKind
    from tests.conftest import make_user

    giver_officer = make_user("giver", RoleKind.OFFICER, tree.p3)
    assert not Transfer.objects.visible_to(giver_officer).exists()


def test_it_scopes_without_another_query(rows, officer, django_assert_num_queries):
    # 1. the scholarships, filtered by a subquery of the associations the officer sees
    with django_assert_num_queries(1):
        list(Scholarship.objects.visible_to(officer).filter(year=YEAR))
