"""The site's own 400, 403, 404, 500 and CSRF pages: the site's layout, Vietnamese or English, no leaks."""

import pytest
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import translation

from khuyenhoc import errors

pytestmark = pytest.mark.urls("tests.khuyenhoc.urls_with_failures")

LEAKS = ["Traceback", "secret detail", "/srv/", "settings.py", "khuyenhoc/", "Không tìm thấy hội này"]


def _in(lang: str, text) -> str:
    with translation.override(lang):
        return str(text)


def _client(lang: str) -> Client:
    client = Client(raise_request_exception=False)
    if lang == "en":
        client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


def _assert_page(response, status: int, page, lang: str):
    body = response.content.decode()
    assert response.status_code == status
    assert f'<html lang="{lang}"' in body
    assert 'class="site-header' in body  # the site's own layout
    assert _in(lang, page[0]) in body and _in(lang, page[1]) in body
    for leak in LEAKS:
        assert leak not in body


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_it_renders_404_in_the_sites_layout(db, lang):
    r = _client(lang).get("/khong-co-trang-nay/")
    _assert_page(r, 404, errors.PAGES[404], lang)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_it_renders_404_for_an_association_outside_the_subtree_without_its_message(outsider, tree, lang):
    client = _client(lang)
    client.force_login(outsider)
    r = client.get(reverse("association_detail", args=[tree.p1.pk]))
    _assert_page(r, 404, errors.PAGES[404], lang)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_it_renders_403_in_the_sites_layout(viewer, tree, lang):
    client = _client(lang)
    client.force_login(viewer)
    r = client.get(reverse("user_list"))
    _assert_page(r, 403, errors.PAGES[403], lang)
    assert "viewer" in r.content.decode()  # signed in: the header still names the user


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_it_renders_500_without_the_exception(db, lang):
    r = _client(lang).get("/__hong__/")
    _assert_page(r, 500, errors.PAGES[500], lang)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_it_renders_400_for_a_suspicious_request(db, lang):
    r = _client(lang).get("/__la__/")
    _assert_page(r, 400, errors.PAGES[400], lang)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_it_renders_the_csrf_failure_page(officer, lang):
    client = _client(lang)
    client.handler.enforce_csrf_checks = True
    client.force_login(officer)
    r = client.post(reverse("logout"))
    _assert_page(r, 403, errors.CSRF_PAGE, lang)
    assert "CSRF" not in r.content.decode()  # Django's reason names origins and hosts


def test_it_renders_500_without_touching_the_database(rf):
    # No `db` fixture: pytest-django makes any query here raise, as a database that is down would.
    # No middleware either, so the language is pinned rather than left to whichever test ran before.
    with translation.override("vi"):
        response = errors.server_error(rf.get("/"))
    assert response.status_code == 500
    assert _in("vi", errors.PAGES[500][0]) in response.content.decode()


@override_settings(DEBUG=False, ALLOWED_HOSTS=["khuyenhoc.example.org"])
def test_it_answers_400_for_a_host_not_allowed(db):
    r = Client(raise_request_exception=False).get("/", HTTP_HOST="evil.example.com")
    assert r.status_code == 400
    assert "evil.example.com" not in r.content.decode()
