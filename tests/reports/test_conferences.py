"""A cluster's conferences: several a year, the list, and starting the next one from it."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from associations.models import RoleKind
from funds.models import AnnualReturn, Fund, FundBalance
from reports.models import ClusterConference
from tests.conftest import make_user


@pytest.fixture
def last(tree):
    return ClusterConference.objects.create(
        cluster=tree.cluster_a,
        year=2022,
        kind="giao_ban",
        number=27,
        date=date(2022, 11, 29),
        host=tree.p1,
        next_host=tree.p2,
        doc_symbol="BC-CA",
        signer_title="Cụm trưởng",
        signer_name="Người Ký",
        recipients="- Lưu: VT.",
    )


@pytest.fixture
def far(tree):
    return make_user("far", RoleKind.OFFICER, tree.p3)


def test_the_cluster_page_lists_its_conferences(client, chair, last, tree):
    ClusterConference.objects.create(cluster=tree.cluster_a, year=2022, kind="so_ket", date=date(2022, 6, 20))
    client.force_login(chair)
    body = client.get(reverse("conference_list", args=[tree.cluster_a.pk])).content.decode()
    assert "Giao ban lần thứ 27" in body and "Sơ kết 6 tháng" in body
    assert reverse("conference_create", args=[tree.cluster_a.pk]) in body


def test_the_cluster_page_links_the_latest_issued_pdf(client, chair, last, tree, django_assert_num_queries):
    from reports.issuing import report_issue

    report_issue(user=chair, conference=last, number=3, dated=date(2022, 11, 30))
    client.force_login(chair)
    url = reverse("conference_list", args=[tree.cluster_a.pk])
    # session, user, the cluster, the edit right, the conferences, their issued versions
    with django_assert_num_queries(6):
        body = client.get(url).content.decode()
    assert reverse("issued_pdf", args=[last.pk, 1]) in body and "Số 03/BC-CA (bản 1)" in body


def test_the_next_conference_is_prefilled_from_the_last(client, chair, last, tree):
    client.force_login(chair)
    form = client.get(reverse("conference_create", args=[tree.cluster_a.pk])).context["form"]
    initial = {
        name: form[name].value() for name in ("year", "kind", "number", "host", "place", "signer_name")
    }
    assert initial == {
        "year": 2023,
        "kind": "giao_ban",
        "number": 28,
        "host": tree.p2.pk,
        "place": "Hai",
        "signer_name": "Người Ký",
    }


def test_the_chair_starts_the_next_conference(client, chair, last, tree):
    client.force_login(chair)
    data = {"year": 2023, "kind": "giao_ban", "number": 28, "date": "2023-11-20", "host": tree.p2.pk}
    r = client.post(reverse("conference_create", args=[tree.cluster_a.pk]), data)
    conference = ClusterConference.objects.get(cluster=tree.cluster_a, year=2023)
    assert r.status_code == 302 and r["Location"] == reverse("conference_report", args=[conference.pk])
    assert (conference.number, conference.host) == (28, tree.p2)


def test_a_number_is_used_once_per_kind(client, chair, last, tree):
    client.force_login(chair)
    r = client.post(
        reverse("conference_create", args=[tree.cluster_a.pk]),
        {"year": 2023, "kind": "giao_ban", "number": 27},
    )
    assert r.status_code == 200
    assert ClusterConference.objects.filter(cluster=tree.cluster_a).count() == 1
    ClusterConference.objects.create(cluster=tree.cluster_a, year=2023, kind="tong_ket", number=27)


@pytest.mark.parametrize(
    ("who", "get_status", "post_status"),
    [
        ("far", 404, 404),
        ("viewer", 403, 403),
        ("officer", 403, 403),
        ("chair", 200, 302),
        ("reviewer", 200, 302),
    ],
)
def test_the_permission_matrix_for_a_new_conference(client, request, tree, who, get_status, post_status):
    client.force_login(request.getfixturevalue(who))
    url = reverse("conference_create", args=[tree.cluster_a.pk])
    assert client.get(url).status_code == get_status
    assert client.post(url, {"year": 2023, "kind": "giao_ban"}).status_code == post_status
    assert ClusterConference.objects.exists() == (post_status == 302)


def test_the_report_names_the_kind_and_number(client, chair, last, tree):
    client.force_login(chair)
    doc = client.get(reverse("conference_report", args=[last.pk])).context["doc"]
    assert doc["text"]["title"].startswith("Hội nghị giao ban lần thứ 27 công tác khuyến học")


def test_a_qualifier_must_name_an_amount_and_a_known_word(tree):
    annual_return = AnnualReturn(association=tree.p1, year=2022, qualifiers={"population": "tren"})
    with pytest.raises(ValidationError):
        annual_return.full_clean()
    annual_return.qualifiers = {"mobilised_cash": "roughly"}
    with pytest.raises(ValidationError):
        annual_return.full_clean()
    annual_return.qualifiers = {"mobilised_cash": "tren"}
    annual_return.full_clean()


def test_a_fund_balance_qualifier_is_checked_by_the_database(tree):
    fund = Fund.objects.create(association=tree.p1, name="Quỹ A")
    with pytest.raises(Exception, match="fund_balance_qualifier_valid|CHECK"):
        FundBalance.objects.create(fund=fund, year=2022, balance=1, qualifier="roughly")


@pytest.mark.parametrize("year", [1999, 2999])
def test_the_old_address_of_a_year_out_of_range_is_404(client, chair, tree, year):
    client.force_login(chair)
    url = reverse("conference_edit_year", args=[tree.cluster_a.pk, year])
    assert client.get(url).status_code == 404
    assert client.post(url, {"year": year, "kind": "giao_ban"}).status_code == 404


@pytest.mark.parametrize("nam", ["²", "٣", "1999", "99999999999999999999"])
def test_a_new_conference_ignores_a_year_that_is_not_one(client, chair, tree, nam):
    client.raise_request_exception = False
    client.force_login(chair)
    response = client.get(reverse("conference_create", args=[tree.cluster_a.pk]), {"nam": nam})
    assert response.status_code == 200
    assert 2000 <= response.context["form"].initial["year"] <= 2100
