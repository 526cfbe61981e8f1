"""The conference form under hostile POSTs: saved as typed or refused whole, shown as text."""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st

from reports.models import ClusterConference

from .support import UNICODE_DIGITS, assert_escaped, cases, id_text, rolled_back, text

TEXTS = [
    "place",
    "presided_by",
    "guests",
    "summary",
    "events",
    "directions",
    "doc_symbol",
    "signer_authority",
    "signer_title",
    "signer_name",
    "recipients",
]


@pytest.fixture
def conference(tree, chair):
    conference = ClusterConference.objects.create(cluster=tree.cluster_a, year=2023, number=1)
    ClusterConference.objects.create(cluster=tree.cluster_a, year=2022, number=2)
    client = Client()
    client.force_login(chair)
    return {
        "client": client,
        "conference": conference,
        "hosts": [tree.p1.pk, tree.p2.pk, tree.p3.pk, tree.c1.pk],
    }


@cases(60)
@given(data=st.data())
def test_it_saves_any_conference_post_as_typed_or_not_at_all(conference, data):
    years = st.one_of(
        st.just("2023"), st.sampled_from(["1999", "2101", "65536", "-1", *UNICODE_DIGITS]), text()
    )
    post = {
        "year": data.draw(years),
        "kind": data.draw(st.sampled_from(["giao_ban", "so_ket", "tong_ket", "", "x", "<script>"])),
        "number": data.draw(st.one_of(st.just(""), st.just("3"), st.just("2"), id_text())),
        "date": data.draw(
            st.one_of(st.sampled_from(["", "2023-05-01", "2022-05-01", "2023-02-30", "9999-12-31"]), text())
        ),
        "host": data.draw(st.one_of(st.just(""), id_text(conference["hosts"]))),
        "next_host": data.draw(st.one_of(st.just(""), id_text(conference["hosts"]))),
    }
    post |= {name: data.draw(text()) for name in TEXTS}
    create = data.draw(st.booleans())
    url = (
        reverse("conference_create", args=[conference["conference"].cluster_id])
        if create
        else reverse("conference_edit", args=[conference["conference"].pk])
    )
    with rolled_back():
        before = list(ClusterConference.objects.order_by("pk").values())
        response = conference["client"].post(url, post)
        event(f"{'create' if create else 'edit'} {response.status_code}")
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            saved = (
                ClusterConference.objects.order_by("-pk").first()
                if create
                else ClusterConference.objects.get(pk=conference["conference"].pk)
            )
            for name in TEXTS:
                assert getattr(saved, name) == post[name].strip(), name
            assert 2000 <= saved.year <= 2100
            page = conference["client"].get(reverse("conference_draft", args=[saved.pk]))
            assert page.status_code == 200
            assert_escaped(page.content, post.values())
        else:
            assert list(ClusterConference.objects.order_by("pk").values()) == before
            assert_escaped(response.content, post.values())
