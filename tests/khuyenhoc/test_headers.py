"""Production headers: Content-Security-Policy, Permissions-Policy, no caching of signed-in responses."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}


def test_it_sends_a_content_security_policy_without_unsafe_inline(client, db):
    r = client.get(reverse("login"))
    directives = _directives(r)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"] and directives["object-src"] == ["'none'"]
    assert "unsafe-inline" not in r["Content-Security-Policy"]
    assert "unsafe-eval" not in r["Content-Security-Policy"]


def test_it_sends_a_permissions_policy(client, db):
    policy = client.get(reverse("login"))["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy


def test_it_sends_both_policies_on_error_pages(client, db):
    r = client.get("/khong-co-trang-nay/")
    assert r.status_code == 404
    assert "Content-Security-Policy" in r and "Permissions-Policy" in r


def test_it_forbids_storing_signed_in_pages(client, officer, tree):
    client.force_login(officer)
    r = client.get(reverse("association_detail", args=[tree.p1.pk]))
    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"] and "private" in r["Cache-Control"]


def test_it_forbids_storing_downloads(client, officer, tree):
    client.force_login(officer)
    r = client.get(reverse("export_returns", args=["csv"]))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert "no-store" in r["Cache-Control"] and "private" in r["Cache-Control"]


def test_it_forbids_storing_a_signed_in_error_page(client, outsider, tree):
    client.force_login(outsider)
    r = client.get(reverse("association_detail", args=[tree.p1.pk]))
    assert r.status_code == 404 and "no-store" in r["Cache-Control"]


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "a <style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an on… handler attribute"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


@pytest.mark.parametrize("path", [p for d in TEMPLATE_DIRS for p in sorted(d.rglob("*.html"))], ids=str)
def test_it_keeps_templates_free_of_inline_script_and_style(path):
    """The policy blocks these; a page that needs behaviour uses static/js/site.js's data attributes."""
    text = path.read_text()
    for pattern, what in INLINE:
        match = pattern.search(text)
        assert match is None, f"{path.relative_to(ROOT)} has {what}: {match.group(0)!r}"
