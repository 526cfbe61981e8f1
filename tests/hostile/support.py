"""Case counts, a rollback per example and the hostile values shared by the tests of this folder."""

from contextlib import contextmanager

from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

SCALE = 10 if settings.default.derandomize is False else 1


def cases(n: int) -> settings:
    """The settings of one test: `n` examples (ten times as many in the deep profile), no deadline.

    pytest-django's `db` fixture is function-scoped and shared by every example, hence the health
    check suppressed; each example undoes its writes itself with `rolled_back()`.
    """
    return settings(
        max_examples=n * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@contextmanager
def rolled_back():
    """Run one example in a savepoint that is always rolled back, so examples cannot see each other's writes."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# --- Hostile values ------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
# Markup that must come back as text wherever it is shown.
MARKUP = [SCRIPT, '"><img src=x onerror=alert(1)>', "<b>đậm</b>", "</textarea><script>alert(2)</script>"]
FORMULAS = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", '=HYPERLINK("http://x")', "\t=1", "\r=1"]
CONTROLS = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1f", "\x7f", "\r\n", "\u200b", "\ufeff", "\u202e"]
UNICODE_DIGITS = ["²", "٣", "３", "१२", "²⁰²³", "２０２３", "٢٠٢٣", "Ⅻ", "½", "𝟙𝟚"]
NFD = ["Hội Khuye\u0302\u0301n học", "Quy\u0303", "e\u0301"]
TRICKY_TEXT = [
    *MARKUP,
    *FORMULAS,
    *CONTROLS,
    *UNICODE_DIGITS,
    *NFD,
    "",
    " ",
    "x" * 5000,
    "Ω" * 301,
    "null",
    "None",
    "'; DROP TABLE funds_annualreturn; --",
    "%s%s%n",
    "{{ 7*7 }}",
    "\U0001f600",
]

BIG = [10**15, 10**15 + 1, 10**18, 10**18 + 1, 2**31, 2**63 - 1, 2**63, 2**64, 10**30]
TRICKY_INTEGERS = [0, 1, -1, *BIG, *(-n for n in BIG)]
TRICKY_NUMBERS = [
    *map(str, TRICKY_INTEGERS),
    *UNICODE_DIGITS,
    "1e3",
    "1.5",
    "1,5",
    "43,2 tỷ",
    "43.200.000.000",
    "1.000.000.000.000.000.000",
    "999999 tỷ",
    "0x10",
    "NaN",
    "inf",
    "-0",
    " 12 ",
    "１２",
    "1_000",
]


def text() -> st.SearchStrategy[str]:
    """Any text, the tricky values above, or a mix of both."""
    tricky = st.sampled_from(TRICKY_TEXT)
    return st.one_of(
        tricky, st.text(max_size=60), st.builds(lambda a, b: a + b, st.text(max_size=20), tricky)
    )


def number_text() -> st.SearchStrategy[str]:
    """What may be typed in a number field: plausible amounts, bounds, Unicode digits, any text."""
    return st.one_of(
        st.sampled_from(TRICKY_NUMBERS),
        st.integers(min_value=-(10**19), max_value=10**19).map(str),
        st.integers(min_value=0, max_value=10**12).map(str),
        text(),
    )


def id_text(ids: list[int] | None = None) -> st.SearchStrategy[str]:
    """An id as posted: real ones (possibly another association's), bounds, Unicode digits, any text."""
    real = st.sampled_from([str(i) for i in ids]) if ids else st.nothing()
    return st.one_of(
        real, st.sampled_from(UNICODE_DIGITS), st.sampled_from(["", "0", "-1", "2", *map(str, BIG)]), text()
    )


def assert_escaped(content: bytes, sent) -> None:
    """No markup we sent comes back unescaped."""
    html = content.decode("utf-8", "replace")
    for value in sent:
        for payload in MARKUP:
            if isinstance(value, str) and payload in value:
                assert payload not in html, payload


def db_state(*models) -> dict:
    """Every row of `models` and the size of their history, as comparable values."""
    return {
        model.__name__: (
            list(model.objects.order_by("pk").values()),
            model.history.count() if hasattr(model, "history") else None,
        )
        for model in models
    }
