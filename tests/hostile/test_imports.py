"""The import under generated CSV and XLSX files: no server error, everything or nothing, bounded values."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from funds import imports
from funds.models import MAX_AMOUNT, MAX_POPULATION, AnnualReturn, Fund, FundBalance, Scholarship
from funds.spreadsheets.cells import tier_label
from tests.funds.test_import_support import HEADERS

from .support import (
    FORMULAS,
    MARKUP,
    UNICODE_DIGITS,
    assert_escaped,
    cases,
    db_state,
    number_text,
    rolled_back,
    text,
)

YEAR = 2023
MODELS = (AnnualReturn, Fund, FundBalance, Scholarship)
FIGURES = {
    "Dân số": ("population", 1, MAX_POPULATION),
    "Vận động bằng tiền": ("mobilised_cash", 0, MAX_AMOUNT),
    "Vận động bằng hiện vật": ("mobilised_in_kind", 0, MAX_AMOUNT),
    "Số dư quỹ cuối năm": ("fund_balance", 0, MAX_AMOUNT),
    "Khen thưởng, hỗ trợ đã chi": ("awards_paid", 0, MAX_AMOUNT),
    "Cơ sở vật chất": ("facilities", 0, MAX_AMOUNT),
}


@pytest.fixture(autouse=True)
def _stash_dir(settings, tmp_path):
    settings.IMPORT_STASH_DIR = str(tmp_path / "stash")


@pytest.fixture
def nodes(tree, officer):
    """P1's subtree (the officer's) and others; a stored return and last year's, so that 'unchanged' means something."""
    AnnualReturn.objects.create(association=tree.d1, year=YEAR, population=5000, mobilised_cash=10**6)
    AnnualReturn.objects.create(association=tree.c1, year=YEAR - 1, population=5000, mobilised_cash=10**6)
    AnnualReturn.objects.create(association=tree.p2, year=YEAR, population=5000, mobilised_cash=10**6)
    return {
        "mine": [tree.p1, tree.d1, tree.c1, tree.c2, tree.c3],
        "theirs": [tree.p2, tree.c4, tree.p3, tree.central],
    }


def cell_values():
    """A cell of any column: numbers as text or as numbers, formulas, markup, Unicode digits, control characters."""
    return st.one_of(
        number_text(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(),
        st.sampled_from([*FORMULAS, *MARKUP, *UNICODE_DIGITS, None]),
        text(),
    )


@st.composite
def files(draw, nodes):
    """(headers, rows): mostly the template's headers, sometimes one dropped, doubled, renamed or added."""
    headers = list(HEADERS)
    mutation = draw(st.sampled_from(["none", "none", "none", "drop", "double", "rename", "add", "shuffle"]))
    if mutation == "drop":
        headers.pop(draw(st.integers(0, len(headers) - 1)))
    elif mutation == "double":
        headers.append(draw(st.sampled_from(HEADERS)))
    elif mutation == "rename":
        headers[draw(st.integers(0, len(headers) - 1))] = draw(text())
    elif mutation == "add":
        headers.append(draw(st.sampled_from(["=1+1", "Ghi chú 2", "<script>alert(1)</script>", "Dân số "])))
    elif mutation == "shuffle":
        headers = draw(st.permutations(headers))
    event(f"headers: {mutation}")
    node = st.sampled_from(nodes["mine"] + nodes["theirs"])
    # Half the files are plausible but for their notes, so that some are imported.
    plausible = draw(st.booleans())
    if plausible:
        headers, node = list(HEADERS), st.sampled_from(nodes["mine"])
    rows = []
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        association = draw(node)
        plain = {
            "Mã": draw(
                st.one_of(st.just(association.code), st.sampled_from(["ZZ", "", "p1", " P1", "=P1", "P１"]))
            ),
            "Cấp": draw(st.one_of(st.just(tier_label(association.tier)), text())),
            "Tên hội": draw(st.one_of(st.just(association.name), text())),
            "Năm": draw(
                st.one_of(
                    st.just(YEAR),
                    st.just(str(YEAR)),
                    st.sampled_from([YEAR - 1, "1999", "²⁰²³", "２０２３", 10**18, -1, "", 2023.5]),
                    text(),
                )
            ),
        }
        if plausible:
            figures = {
                h: draw(st.integers(min_value=low, max_value=min(high, 10**12)))
                for h, (_n, low, high) in FIGURES.items()
            }
            cells = figures | {
                "Mã": association.code,
                "Cấp": tier_label(association.tier),
                "Tên hội": association.name,
                "Năm": YEAR,
                "Phạm vi số liệu": "",
                "Ghi chú": draw(text()),
            }
            rows.append([cells.get(h) for h in headers])
            continue
        values = [
            plain[h]
            if h in plain and draw(st.integers(0, 4))
            else draw(
                st.one_of(st.integers(min_value=0, max_value=10**9), cell_values())
                if h in FIGURES
                else cell_values()
            )
            for h in headers
        ]
        rows.append(values)
        if rows and draw(st.integers(0, 5)) == 0:
            rows.append(list(rows[-1]))  # a duplicate row
    return headers, rows


def as_csv(headers, rows, delimiter=",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode("utf-8-sig")


def _xlsx_cell(value):
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub(
            "", value
        )  # an XLSX cannot hold them; openpyxl refuses to write them
    if isinstance(value, int) and abs(value) > 2**53:
        return str(value)
    return value


def as_xlsx(headers, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([_xlsx_cell(h) for h in headers])
    for row in rows:
        sheet.append([_xlsx_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def check_written(nodes, before) -> None:
    """After a confirmed import: only the officer's subtree changed, and every figure is within bounds."""
    mine = {n.pk for n in nodes["mine"]}
    old = {r["id"]: r for r in before["AnnualReturn"][0]}
    for row in AnnualReturn.objects.values():
        if row["association_id"] not in mine:
            assert old.get(row["id"]) == row
        for name, low, high in FIGURES.values():
            assert row[name] is None or low <= row[name] <= high, (name, row[name])
        assert 2000 <= row["year"] <= 2100


def run_import(user, nodes, content: bytes, filename: str):
    before = db_state(*MODELS)
    preview = imports.import_preview(user=user, content=content, filename=filename)
    assert db_state(*MODELS) == before
    try:
        imports.import_confirm(
            user=user,
            content=content,
            filename=filename,
            fingerprint=preview.fingerprint,
            confirm_outliers=True,
        )
    except (imports.ImportRefused, imports.ImportConflict):
        assert not preview.ok or preview.outliers
        event("refused")
        assert db_state(*MODELS) == before
    else:
        assert preview.ok
        event("imported")
        check_written(nodes, before)


@cases(150)
@given(data=st.data())
def test_it_imports_any_csv_whole_or_not_at_all(nodes, officer, data):
    headers, rows = data.draw(files(nodes))
    delimiter = data.draw(st.sampled_from([",", ",", ";", "\t"]))
    with rolled_back():
        run_import(officer, nodes, as_csv(headers, rows, delimiter), "so-lieu.csv")


@cases(50)
@given(data=st.data())
def test_it_imports_any_xlsx_whole_or_not_at_all(nodes, officer, data):
    headers, rows = data.draw(files(nodes))
    with rolled_back():
        run_import(officer, nodes, as_xlsx(headers, rows), "so-lieu.xlsx")


@cases(15)
@given(data=st.data())
def test_it_answers_any_upload_and_confirmation_through_the_pages(nodes, officer, data):
    headers, rows = data.draw(files(nodes))
    kind = data.draw(st.sampled_from(["csv", "xlsx"]))
    content = as_csv(headers, rows) if kind == "csv" else as_xlsx(headers, rows)
    client = Client()
    client.force_login(officer)
    sent = [str(v) for row in rows for v in row] + headers
    with rolled_back():
        before = db_state(*MODELS)
        upload = SimpleUploadedFile(f"so-lieu.{kind}", content)
        # The upload queues the preview and shows its job (run at once by the tests' task backend).
        response = client.post(reverse("import_upload"), {"file": upload}, follow=True)
        assert response.status_code == 200
        assert_escaped(response.content, sent)
        assert db_state(*MODELS) == before
        token = response.context.get("token")
        if token:
            response = client.post(
                reverse("import_confirm"), {"token": token, "confirm_outliers": "on"}, follow=True
            )
            job = response.context.get("job")
            written = job is not None and job.outcome == "written"
            event(f"confirm {response.status_code}{' written' if written else ''}")
            assert response.status_code in (200, 409)
            if written:
                check_written(nodes, before)
            else:
                assert_escaped(response.content, sent)
                assert db_state(*MODELS) == before
