"""The English catalogue is complete and compiled, and the main pages read in English."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.translation.template import templatize

from funds.models import AnnualReturn

EN = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdif]|\{\w*\}")
ROOT = Path(settings.BASE_DIR)
NOT_SCANNED = {".git", ".venv", "node_modules", "staticfiles", "tests", "migrations"}
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy"}
# What templatize() makes of {% translate %} and {% blocktranslate %}: gettext(u'…'), ngettext(u'…', …).
TEMPLATE_CALL = re.compile(r"""\bn?gettext\(\s*u?('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""")


def po_entries(path: Path) -> list[dict]:
    """The entries of a .po file: msgid, msgid_plural, msgstr ({form: text}, form 0 for a singular), flags
    and whether obsolete; enough of the format for our own files (no msgctxt)."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        parts: dict[str, list[str]] = {}
        flags, obsolete, current = set(), False, None
        for line in block.strip().splitlines():
            if line.startswith("#~"):
                obsolete = True
            elif line.startswith("#,"):
                flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("msg"):
                current, text = line.split(" ", 1)
                parts[current] = [ast.literal_eval(text)]
            elif line.startswith('"') and current:
                parts[current].append(ast.literal_eval(line))
        assert "msgctxt" not in parts, "the tiny parser does not read msgctxt; extend it"
        text = {key: "".join(value) for key, value in parts.items()}
        if "msgid" in text or obsolete:
            msgstr = {int(k[7:-1]): v for k, v in text.items() if k.startswith("msgstr[")}
            if "msgstr" in text:
                msgstr[0] = text["msgstr"]
            entries.append(
                {
                    "msgid": text.get("msgid", ""),
                    "msgid_plural": text.get("msgid_plural"),
                    "msgstr": msgstr,
                    "flags": flags,
                    "obsolete": obsolete,
                }
            )
    return entries


def sources(pattern: str) -> list[Path]:
    return [p for p in ROOT.rglob(pattern) if not NOT_SCANNED & set(p.relative_to(ROOT).parts)]


def marked_strings() -> dict[str, str]:
    """{msgid: first file marking it} for the literal strings wrapped in gettext in code and templates, as
    makemessages finds them, so that a string added without running makemessages is noticed."""
    found = {}
    for path in sources("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name in GETTEXT and isinstance(node.args[0].value, str):
                found.setdefault(node.args[0].value, str(path.relative_to(ROOT)))
    for path in sources("*.html") + sources("*.txt"):
        text = path.read_text(encoding="utf-8")
        for match in TEMPLATE_CALL.finditer(templatize(text, origin=str(path)) if "{%" in text else ""):
            found.setdefault(ast.literal_eval(match.group(1)), str(path.relative_to(ROOT)))
    return found


@pytest.fixture(scope="module")
def catalogue() -> list[dict]:
    return [e for e in po_entries(EN / "django.po") if e["msgid"]]


def test_it_translates_every_entry_of_the_english_catalogue(catalogue):
    untranslated = [
        e["msgid"] for e in catalogue if not e["msgstr"] or not all(t.strip() for t in e["msgstr"].values())
    ]
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated[:5]}"


def test_it_has_every_string_marked_in_the_code_in_the_english_catalogue(catalogue):
    msgids = {e["msgid"] for e in catalogue}
    missing = {msgid: path for msgid, path in marked_strings().items() if msgid not in msgids}
    assert not missing, (
        f"{len(missing)} not in the catalogue (run makemessages -l en): {list(missing.items())[:5]}"
    )


def test_it_leaves_no_fuzzy_or_obsolete_entry_in_the_english_catalogue(catalogue):
    fuzzy = [e["msgid"] for e in catalogue if "fuzzy" in e["flags"]]
    obsolete = [e["msgid"] for e in catalogue if e["obsolete"]]
    assert not fuzzy, f"{len(fuzzy)} fuzzy: {fuzzy[:5]}"
    assert not obsolete, f"{len(obsolete)} obsolete: {obsolete[:5]}"


def test_it_keeps_the_placeholders_of_every_english_entry(catalogue):
    wrong = [
        (e["msgid"], text)
        for e in catalogue
        for form, text in e["msgstr"].items()
        if sorted(PLACEHOLDER.findall(e["msgid_plural"] if form else e["msgid"]))
        != sorted(PLACEHOLDER.findall(text))
    ]
    assert not wrong


def test_it_compiles_the_english_catalogue_as_it_stands(catalogue):
    with open(EN / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog
    stale = [
        e["msgid"]
        for e in catalogue
        for form, text in e["msgstr"].items()
        if compiled.get((e["msgid"], form) if e["msgid_plural"] else e["msgid"]) != text
    ]
    assert not stale, f"django.mo is older than django.po (run compilemessages): {stale[:5]}"


# Vietnamese labels of the pages below and what they read in English.
LABELS = {
    "home": {
        "Đổi mật khẩu": "Change password",
        "Người dùng": "Users",
        "Báo cáo chờ duyệt": "Returns awaiting approval",
    },
    "entry": {
        "Các số liệu trên là": "These figures cover",
        "Ghi chú": "Notes",
        "Đổi mật khẩu": "Change password",
    },
    "review": {"Lý do trả lại": "Reason for sending back", "Trả lại": "Send back", "Người dùng": "Users"},
}


@pytest.fixture
def pages(reviewer, officer, tree):
    """{page: (url, user)}: the home page, P1's entry page (a draft) and the review list (P2 submitted)."""
    year = 2023
    AnnualReturn.objects.create(association=tree.p1, year=year, population=1_000)
    AnnualReturn.objects.create(
        association=tree.p2,
        year=year,
        population=1_000,
        mobilised_cash=11_834_000_000,
        status=AnnualReturn.Status.SUBMITTED,
    )
    return {
        "home": (reverse("home"), reviewer),
        "entry": (reverse("return_edit", args=[tree.p1.pk, year]), officer),
        "review": (reverse("review_list") + f"?nam={year}", reviewer),
    }


def render(client, url, user, language):
    client.force_login(user)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("page_name", LABELS)
def test_it_renders_the_main_pages_in_english(client, pages, page_name):
    url, user = pages[page_name]
    vietnamese = render(client, url, user, "vi")
    english = render(client, url, user, "en")
    for label, translation in LABELS[page_name].items():
        # The label is on the Vietnamese page, so its absence from the English one means something.
        assert f">{label}<" in vietnamese or f'"{label}"' in vietnamese, label
        assert f">{label}<" not in english and f'"{label}"' not in english, label
        assert translation in english, translation
