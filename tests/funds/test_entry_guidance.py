"""The entry page guides: a summary of the refusals linked to their fields, save before submit, no "— đ"."""

import re
from html.parser import HTMLParser

import pytest

from funds.models import AnnualReturn

from .conftest import YEAR
from .helpers import form_data


class _Ids(HTMLParser):
    """The ids on a page, the ids that aria-describedby points at, and the summary's links."""

    def __init__(self):
        super().__init__()
        self.ids, self.described, self.links = set(), {}, []
        self.in_summary = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if attrs.get("aria-describedby"):
            self.described[attrs.get("id")] = attrs["aria-describedby"].split()
        if attrs.get("id") == "error-summary":
            self.in_summary = 1
        elif self.in_summary and tag == "a":
            self.links.append(attrs["href"])


def _ids(response) -> _Ids:
    page = _Ids()
    page.feed(response.content.decode())
    return page


def test_it_links_each_refusal_in_the_summary_to_its_field(officer_client, edit_url):
    response = officer_client.post(edit_url(), form_data(population="abc", mobilised_cash=-5))
    body = response.content.decode()
    assert 'role="alert" tabindex="-1"' in body
    assert _ids(response).links == ["#id_population", "#id_mobilised_cash"]
    summary = body[body.index('id="error-summary"') : body.index("</div>", body.index('id="error-summary"'))]
    assert "Vận động bằng tiền (đồng): Số liệu không được âm." in summary


def test_it_points_every_aria_describedby_at_an_element_of_the_page(officer_client, edit_url, attachments):
    data = form_data(
        population="abc",
        transfers=[{"giver_name": "", "purpose": "Khen thưởng", "amount": "x"}],
    )
    page = _ids(officer_client.post(edit_url(), data))
    assert page.described, "no field describes itself"
    missing = {field: ids for field, ids in page.described.items() if not set(ids) <= page.ids}
    assert missing == {}


def test_it_names_the_row_of_a_refused_row_field(officer_client, edit_url):
    data = form_data(transfers=[{"giver_name": "", "purpose": "Khen thưởng"}])
    response = officer_client.post(edit_url(), data)
    assert "#id_transfers-0-giver_name" in _ids(response).links
    assert "Các khoản được trao tặng trong năm, dòng 1: Nơi trao:" in response.content.decode()


def test_it_links_the_outlier_refusal_to_its_confirmation(officer_client, tree, make_return, edit_url):
    make_return(tree.p1, YEAR - 1, population=1_000_000, mobilised_cash=10_000_000)
    response = officer_client.post(edit_url(), form_data(population=1_000_000, mobilised_cash=60_000_000))
    assert _ids(response).links == ["#id_confirm_outliers"]
    assert f"Năm trước ({YEAR - 1})" in response.content.decode()


def test_it_shows_no_summary_and_no_unsaved_mark_on_a_fresh_page(officer_client, draft, edit_url):
    body = officer_client.get(edit_url()).content.decode()
    assert 'id="error-summary"' not in body
    assert "data-unsaved " not in body and "data-unsaved>" not in body


def test_it_marks_a_refused_form_as_unsaved(officer_client, edit_url):
    body = officer_client.post(edit_url(), form_data(mobilised_cash=-5)).content.decode()
    assert re.search(r'<form [^>]*id="return-form"[^>]*data-unsaved', body)


def test_it_saves_the_page_then_submits_it(officer_client, draft, edit_url):
    data = form_data(version=draft.version, population=1_200_000, mobilised_cash=41_000_000_000)
    response = officer_client.post(edit_url(), data | {"gui_duyet": "1"}, follow=True)
    saved = AnnualReturn.objects.get(pk=draft.pk)
    assert (saved.status, saved.population) == (AnnualReturn.Status.SUBMITTED, 1_200_000)
    assert f"Đã lưu số liệu và gửi báo cáo năm {YEAR} để duyệt." in response.content.decode()


def test_it_creates_and_submits_a_new_return_in_one_step(officer_client, tree, edit_url):
    officer_client.post(edit_url(), form_data(population=1_000_000) | {"gui_duyet": "1"})
    saved = AnnualReturn.objects.get(association=tree.p1, year=YEAR)
    assert saved.status == AnnualReturn.Status.SUBMITTED and saved.submitted_at is not None


def test_it_submits_nothing_when_the_page_is_refused(officer_client, draft, edit_url):
    response = officer_client.post(
        edit_url(), form_data(version=draft.version, mobilised_cash=-5) | {"gui_duyet": "1"}
    )
    assert response.status_code == 200
    assert AnnualReturn.objects.get(pk=draft.pk).status == AnnualReturn.Status.DRAFT


def test_a_viewer_cannot_save_and_submit(login, viewer, draft, edit_url):
    response = login(viewer).post(edit_url(), form_data(version=draft.version) | {"gui_duyet": "1"})
    assert response.status_code == 403
    assert AnnualReturn.objects.get(pk=draft.pk).status == AnnualReturn.Status.DRAFT


def test_it_offers_save_and_submit_only_while_the_return_is_a_draft(officer_client, submitted, edit_url):
    assert 'name="gui_duyet"' not in officer_client.get(edit_url()).content.decode()


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        ({"awards": 10, "total_value": None}, "10 suất"),
        ({"awards": None, "total_value": 5_000_000}, "5 triệu đồng"),
    ],
    ids=["count-only", "value-only"],
)
def test_it_prints_only_the_known_part_of_the_scholarships(officer_client, draft, edit_url, values, shown):
    from funds.models import Scholarship

    Scholarship.objects.create(association=draft.association, year=YEAR, programme="Học bổng", **values)
    body = officer_client.get(edit_url()).content.decode()
    cell = re.search(r"<dt>Học bổng</dt><dd>(.*?)</dd>", body).group(1)
    assert cell == shown


def test_it_never_prints_a_unit_after_a_dash(officer_client, tree, make_return, edit_url):
    make_return(tree.p1, mobilised_in_kind=5_000)  # no cash, no population, nothing last year
    body = officer_client.get(edit_url()).content.decode()
    assert not re.search(r"—\s*(đ|đồng|suất)\b", body)
