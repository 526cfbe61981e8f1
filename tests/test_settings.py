import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import numbers

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean_in_production_mode():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "0",
        "SECRET_KEY": "a-long-random-production-secret-" + "x9Q7" * 10,
        "ALLOWED_HOSTS": "khuyenhoc.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_needs_a_secret_key():
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_numbers_are_grouped_the_vietnamese_way():
    from django.utils import translation

    with translation.override("vi"):
        assert numbers.grouped(10_939_000_000) == "10.939.000.000"
        assert numbers.money_short(43_200_000_000) == "43,2 tỷ đồng"
        assert numbers.money_short(10_939_000_000) == "10,939 tỷ đồng"
        assert numbers.money_short(50_000_000) == "50 triệu đồng"
        assert numbers.per_person(51_733) == "51.733 đồng/người"
    with translation.override("en"):
        assert numbers.grouped(10_939_000_000) == "10,939,000,000"


def test_make_run_honours_port():
    for args, env in ((["PORT=9123"], {}), ([], {"PORT": "9124"}), ([], {})):
        result = subprocess.run(
            ["make", "-n", "run", *args],
            cwd=ROOT,
            env={**{k: v for k, v in os.environ.items() if k != "PORT"}, **env},
            capture_output=True,
            text=True,
        )
        port = args[0].split("=")[1] if args else env.get("PORT", "8000")
        assert f"runserver 127.0.0.1:{port}" in result.stdout, result.stdout + result.stderr


def test_it_reads_the_cache_backend_from_cache_url():
    from khuyenhoc.settings import cache_from_url

    assert cache_from_url("locmem://")["BACKEND"].endswith("LocMemCache")
    redis = cache_from_url("redis://127.0.0.1:6379/5")
    assert (redis["BACKEND"], redis["LOCATION"]) == (
        "django.core.cache.backends.redis.RedisCache",
        "redis://127.0.0.1:6379/5",
    )
    assert cache_from_url("db://khuyenhoc_cache") == {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "khuyenhoc_cache",
    }
    with pytest.raises(ValueError):
        cache_from_url("memcached://x")
