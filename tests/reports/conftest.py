"""Figures on the small tree, and a way to grow it, for the ranking, completeness and trend tests."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from associations.models import Association, Tier
from associations.services import association_create
from funds.models import AnnualReturn


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Issued reports are written under a folder of each test's own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(scope="module")
def demo_once(django_db_setup, django_db_blocker):
    """The demo data, loaded once per module inside a transaction that is rolled back afterwards.

    Tests that use it also take `db`, whose per-test savepoint undoes what each test changes.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        # DEBUG: the command refuses demo users without it; MD5: what the tests' logins check against.
        with override_settings(
            DEBUG=True, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
        ):
            call_command("load_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def approve_all(cluster: Association, year: int) -> None:
    """Submit and approve every return of the cluster's subtree for `year`, through the workflow services."""
    from django.contrib.auth import get_user_model

    from funds.workflow import annual_return_approve, annual_return_submit

    admin = get_user_model().objects.filter(
        is_superuser=True
    ).first() or get_user_model().objects.create_superuser("quantri", password="pw-quantri")
    for annual_return in AnnualReturn.objects.in_subtree_of(cluster).for_year(year):
        if annual_return.status == AnnualReturn.Status.DRAFT:
            annual_return = annual_return_submit(user=admin, annual_return=annual_return)
        if annual_return.status == AnnualReturn.Status.SUBMITTED:
            annual_return_approve(
                user=admin, annual_return=annual_return, expected_version=annual_return.version
            )


def put_return(node: Association, year: int, *, status: str = AnnualReturn.Status.DRAFT, **figures):
    """Store a return as it would be after entry; bypasses the service, which these tests do not exercise."""
    return AnnualReturn.objects.create(association=node, year=year, status=status, **figures)


def grow(tree, *, provinces: int, year: int = 2022) -> None:
    """Add provinces to cluster B, each with two districts of two communes, and returns for all of them."""
    for i in range(provinces):
        province = association_create(
            tier=Tier.PROVINCE,
            name=f"Tỉnh mới {i}",
            short_name=f"Mới {i}",
            code=f"X{i}",
            parent=tree.cluster_b,
        )
        put_return(province, year, population=1000 + i, mobilised_cash=1_000_000 * (i + 1))
        for j in range(2):
            district = association_create(
                tier=Tier.DISTRICT,
                name=f"Huyện {i}-{j}",
                short_name=f"H{i}-{j}",
                code=f"X{i}{j}",
                parent=province,
            )
            put_return(district, year, mobilised_cash=100_000, status=AnnualReturn.Status.SUBMITTED)
            for k in range(2):
                commune = association_create(
                    tier=Tier.COMMUNE,
                    name=f"Xã {i}-{j}-{k}",
                    short_name=f"X{i}-{j}-{k}",
                    code=f"X{i}{j}{k}",
                    parent=district,
                )
                put_return(commune, year, mobilised_in_kind=10_000, status=AnnualReturn.Status.APPROVED)
    # Districts and communes of P1 too, so that the inside of a province grows as well.
    for j in range(3):
        association_create(
            tier=Tier.COMMUNE, name=f"Xã thêm {j}", short_name=f"Thêm {j}", code=f"Y{j}", parent=tree.p1
        )
    tree.refresh()


@pytest.fixture
def figures(tree):
    """2022 (and 2021) returns: P1 2.000 đ/người, P2 1.000, P3 none; P1's inside has figures too."""
    put_return(tree.p1, 2021, population=1000, mobilised_cash=1_500_000, status=AnnualReturn.Status.APPROVED)
    put_return(tree.p1, 2022, population=1000, mobilised_cash=1_200_000, status=AnnualReturn.Status.APPROVED)
    put_return(tree.d1, 2022, population=400, mobilised_cash=300_000, status=AnnualReturn.Status.SUBMITTED)
    put_return(tree.c1, 2022, mobilised_in_kind=300_000)
    put_return(tree.c3, 2022, population=100, mobilised_cash=200_000, fund_balance=5_000_000)
    put_return(tree.p2, 2021, population=2000, mobilised_cash=1_000_000)
    put_return(tree.p2, 2022, population=2000, mobilised_cash=2_000_000, status=AnnualReturn.Status.SUBMITTED)
    return tree


def html_rows(body: str, table_class: str) -> list[list[str]]:
    """The body rows of the table with `table_class`, each as the text of its cells."""
    table = body[body.index(f'<table class="data {table_class}">') :]
    table = table[table.index("<tbody>") : table.index("</tbody>")]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S) for row in rows]
    return [[" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in row] for row in cells]
