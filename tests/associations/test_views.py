from django.core.cache import cache
from django.urls import reverse


def test_login_page_is_vietnamese(client, db):
    r = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert r.status_code == 200
    assert "Đăng nhập" in r.content.decode()
    assert r["Content-Language"] == "vi"


def test_english_is_available_through_the_switch(client, db):
    r = client.post(reverse("set_language"), {"language": "en", "next": "/dang-nhap/"})
    assert r.status_code == 302
    r = client.get(reverse("login"))
    assert r["Content-Language"] == "en"
    assert "Log in" in r.content.decode()


def test_anonymous_is_sent_to_login(client, tree):
    r = client.get(reverse("association_detail", args=[tree.p1.pk]))
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_home_lists_the_users_roles(client, officer, tree):
    client.force_login(officer)
    r = client.get(reverse("home"))
    assert r.status_code == 200
    assert tree.p1.name in r.content.decode()


def test_home_without_role_says_so(client, db, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody"))
    r = client.get(reverse("home"))
    assert "chưa được gán vai trò" in r.content.decode()


def test_detail_shows_children_and_breadcrumb(client, reviewer, tree):
    client.force_login(reviewer)
    r = client.get(reverse("association_detail", args=[tree.d1.pk]), {"nam": 2022})
    body = r.content.decode()
    assert r.status_code == 200
    assert tree.c1.name in body and tree.c2.name in body
    assert body.index(tree.central.short_name) < body.index(tree.p1.short_name)


def test_detail_allows_own_subtree(client, officer, tree):
    client.force_login(officer)
    assert client.get(reverse("association_detail", args=[tree.c1.pk])).status_code == 200


def test_detail_is_404_for_an_outsider(client, outsider, tree):
    client.force_login(outsider)
    assert client.get(reverse("association_detail", args=[tree.c1.pk])).status_code == 404


def test_detail_breadcrumb_hides_ancestors_outside_scope(client, officer, tree):
    client.force_login(officer)
    body = client.get(reverse("association_detail", args=[tree.d1.pk])).content.decode()
    assert tree.cluster_a.name not in body and "Cụm A" not in body


DETAIL_QUERIES = 11


def test_detail_query_count_does_not_grow_with_children(client, reviewer, tree, django_assert_num_queries):
    from associations.services import association_create

    client.force_login(reviewer)
    url = reverse("association_detail", args=[tree.d1.pk])
    client.get(url)
    cache.clear()  # drawn afresh: the totals would come from the cache
    # 1 session, 2 user, 3 the association (visible_to), 4 ancestors, 5 children, 6 its own return,
    # 7 edit right (roles), 8 the data version (the totals' cache key), 9 subtree totals of returns,
    # 10 subtree totals of scholarships (every catalogue figure in the one statement), 11 commune
    # associations counted from the tree
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(url)
    for i in range(20):
        association_create(tier="commune", name=f"Xã {i}", short_name=f"Xã {i}", code=f"N{i}", parent=tree.d1)
    with django_assert_num_queries(DETAIL_QUERIES):
        assert client.get(url).status_code == 200


def test_pages_open_on_the_reporting_year_not_the_latest_reported(client, reviewer, tree):
    from core.years import reporting_year
    from funds.models import AnnualReturn

    AnnualReturn.objects.create(association=tree.c1, year=2019, mobilised_cash=7)
    client.force_login(reviewer)
    r = client.get(reverse("association_detail", args=[tree.p1.pk]))
    assert r.context["year"] == reporting_year() != 2019


def test_a_bad_year_falls_back_to_the_default(client, reviewer, tree):
    client.force_login(reviewer)
    r = client.get(reverse("association_detail", args=[tree.p1.pk]), {"nam": "abc"})
    assert r.status_code == 200 and 2000 <= r.context["year"] <= 2100


def test_home_offers_each_role_its_next_step(client, officer, reviewer, tree):
    client.force_login(officer)
    body = client.get(reverse("home")).content.decode()
    assert "/so-lieu/" in body and reverse("review_list") not in body.split("role-list")[1]
    client.force_login(reviewer)
    assert reverse("review_list") in client.get(reverse("home")).content.decode()
