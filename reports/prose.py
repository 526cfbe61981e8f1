"""The sentences of the cluster report, written from the figures the way the association writes them.

Every function takes the plain data of a report snapshot (see `reports.snapshot`) and returns
Vietnamese text. A figure is written once, with the word the source put before it ("trên 2,2 tỷ
đồng"), and a clause is left out when the association's own note already states its figure.
"""

import re
from datetime import date
from decimal import Decimal

from core.numbers import grouped, money_short, per_person, percent

KIND_TITLES = {
    "giao_ban": "Hội nghị giao ban",
    "so_ket": "Hội nghị sơ kết 6 tháng đầu năm",
    "tong_ket": "Hội nghị tổng kết",
}
SUBJECT = "công tác khuyến học, khuyến tài, xây dựng xã hội học tập"
STATE_LABELS = {
    "approved": "đã duyệt",
    "submitted": "chờ duyệt",
    "draft": "chưa gửi duyệt",
    "missing": "chưa có báo cáo",
}


def amount(value: int | None, qualifier: str = "") -> str:
    """43200000000, "trên" -> 'trên 43,2 tỷ đồng'."""
    text = money_short(value)
    return f"{qualifier} {text}" if qualifier and value is not None else text


def _number_forms(value: int, *, money: bool) -> list[str]:
    """Regexes matching the ways a note may write `value`: '43,2 tỷ', '43,2 tỉ', '43.200.000.000'."""
    forms = [rf"(?<![\d.,]){re.escape(grouped(value))}(?![\d])"]
    if money:
        number, unit = money_short(value).split(" ", 1)
        unit = unit.split(" ")[0]
        units = "tỷ|tỉ" if unit == "tỷ" else re.escape(unit)
        forms.append(rf"(?<![\d.,]){re.escape(number)}\s*(?:{units})")
    return forms


def states(note: str, value: int | None, *, money: bool = True) -> bool:
    """True when the association's note already gives this figure, so the report must not repeat it."""
    if not note or value is None:
        return False
    return any(re.search(form, note) for form in _number_forms(value, money=money))


def conference_title(kind: str, number: int | None, year: int) -> str:
    """'Hội nghị giao ban lần thứ 28 công tác khuyến học, … năm 2022'."""
    ordinal = f" lần thứ {number}" if number else ""
    if kind == "so_ket":
        return f"{KIND_TITLES[kind]} {year}{ordinal} {SUBJECT}"
    return f"{KIND_TITLES.get(kind, KIND_TITLES['giao_ban'])}{ordinal} {SUBJECT} năm {year}"


def opening(*, cluster: str, conference: dict, year: int) -> str:
    """The first sentence: when, who, what, where and who hosted."""
    when = ""
    if conference.get("date"):
        when = f"Ngày {date.fromisoformat(conference['date']).strftime('%d/%m/%Y')}, "
    text = f"{when}{cluster} tổ chức {conference_title(conference['kind'], conference.get('number'), year)}"
    if conference.get("place"):
        text += f" tại {conference['place']}"
    if conference.get("host"):
        text += f", do {conference['host']} đăng cai"
    return text + "."


def members_sentence(members: list[dict]) -> str:
    names = ", ".join(m["name"] for m in members)
    return f"Cụm gồm {len(members)} hội khuyến học tỉnh: {names}."


def figures_status(*, members: list[dict], year: int) -> str:
    """Which year the figures are, how many members they cover, and whether they are approved."""
    by_state: dict[str, list[str]] = {}
    for m in members:
        by_state.setdefault(m["state"], []).append(m["name"])
    reporting = len(members) - len(by_state.get("missing", []))
    text = f"Số liệu trong báo cáo là số liệu năm {year} của {reporting}/{len(members)} hội thành viên"
    if reporting and set(by_state) <= {"approved", "missing"}:
        text += ", đã được duyệt"
    elif reporting:
        parts = [
            f"{STATE_LABELS[state]}: {', '.join(by_state[state])}"
            for state in ("approved", "submitted", "draft")
            if state in by_state
        ]
        text += f", chưa được duyệt đầy đủ ({'; '.join(parts)})"
    if "missing" in by_state:
        text += f"; chưa có báo cáo năm {year}: {', '.join(by_state['missing'])}"
    return text + "."


def member_sentence(member: dict, *, year: int) -> str:
    """One member's results, as the article writes them; figures its note already gives are left out."""
    name, note = member["name"], member.get("note", "")
    if not member["has_data"]:
        return f"{name}: chưa có báo cáo năm {year}."
    f, q = member["figures"], member["qualifiers"]
    clauses = []
    if f["mobilised"] is not None and not states(note, f["mobilised"]):
        clause = f"vận động được {amount(f['mobilised'], q.get('mobilised', ''))}"
        if f["in_kind"]:
            clause += (
                f" (tiền {amount(f['cash'], q.get('cash', ''))}, "
                f"hiện vật quy ra tiền {amount(f['in_kind'], q.get('in_kind', ''))})"
            )
        clauses.append(clause)
    if f["per_inhabitant"] is not None and not states(note, f["per_inhabitant"], money=False):
        clause = f"bình quân đạt {per_person(f['per_inhabitant'])}"
        change = f["per_inhabitant_change"]
        if change is not None:
            trend = "tăng" if change >= 0 else "giảm"
            against = f"năm {year - 1}"
            if predecessors := member.get("prev_from_predecessors"):
                against = f"tổng năm {year - 1} của {', '.join(predecessors)} cũ"
            clause += f" ({trend} {grouped(abs(change))} đồng so với {against})"
        clauses.append(clause)
    paid = []
    if f["awards_paid"] is not None and not states(note, f["awards_paid"]):
        paid.append(f"hỗ trợ, trao thưởng {amount(f['awards_paid'], q.get('awards_paid', ''))}")
    if f["facilities"] is not None and not states(note, f["facilities"]):
        paid.append(
            f"huy động {amount(f['facilities'], q.get('facilities', ''))} xây dựng cơ sở vật chất trường học"
        )
    if paid:
        clauses.append(" và ".join(paid))
    sentence = ""
    if clauses:
        sentence = f"{name} " + ", ".join(clauses[:2]) + "".join(f"; {c}" for c in clauses[2:]) + "."
    if note:
        note = note if note[-1] in ".!?…" else note + "."
        return f"{sentence} {note}" if sentence else f"{name}: {note}"
    return sentence or f"{name}: đã có báo cáo, chưa có số liệu vận động."


def coverage_notes(members: list[dict]) -> list[tuple[str, bool]]:
    """(sentence, exceeds) for each member whose figure is all-levels and has returns below it.

    What the returns below add up to, beside the all-levels figure that should include them
    (DESIGN.md "Reconciliation"); `exceeds` when they add up to more than it. A snapshot issued
    before coverage was recorded has no `all_levels` and gives no note.
    """
    notes = []
    for m in members:
        below = m.get("below_mobilised")
        if not m.get("all_levels") or below is None:
            continue
        name, total = m["name"], m["figures"]["mobilised"]
        if total is None or below > total:
            notes.append(
                (
                    f"Cần đối chiếu: số liệu của {name} là số toàn tỉnh, nhưng các hội cấp dưới của {name} "
                    f"đã báo cáo cộng lại {money_short(below)}, nhiều hơn số toàn tỉnh.",
                    True,
                )
            )
            continue
        share = f" ({percent(Decimal(below) * 100 / Decimal(total)).removeprefix('+')})" if total else ""
        notes.append(
            (
                f"Số liệu của {name} là số toàn tỉnh; các hội cấp dưới của {name} "
                f"đã báo cáo cộng lại {money_short(below)}{share}.",
                False,
            )
        )
    return notes


def _fund_clauses(funds: list[dict]) -> list[str]:
    """Named funds of one member; funds with the same balance share one clause, so the figure is written once."""
    groups: dict[tuple, list[str]] = {}
    for fund in funds:
        groups.setdefault((fund["balance"], fund.get("qualifier", "")), []).append(fund["name"])
    clauses = []
    for (balance, qualifier), names in groups.items():
        if balance is None:
            clauses.append(f"{', '.join(names)} (chưa báo cáo số dư)")
        elif len(names) == 1:
            clauses.append(f"{names[0]} có số dư {amount(balance, qualifier)}")
        else:
            clauses.append(
                f"{', '.join(names[:-1])} và {names[-1]}, mỗi quỹ có số dư {amount(balance, qualifier)}"
            )
    return clauses


def _local_fund_clause(local: dict, member: str) -> str:
    where = f" ({local['parent']})" if local["parent"] and local["parent"] != member else ""
    return f"quỹ khuyến học của {local['name']}{where} có số dư {amount(local['balance'], local.get('qualifier', ''))}"


def _scholarship_clause(s: dict) -> str:
    details = []
    if s["awards"]:
        details.append(f"{grouped(s['awards'])} suất")
    kind = [word for flag, word in ((s["in_kind"], "bằng hiện vật"), (s["abroad"], "ở nước ngoài")) if flag]
    if kind:
        details.append(", ".join(kind))
    if s["value"] is not None:
        details.append(f"trị giá {money_short(s['value'])}")
    if s["donor"]:
        details.append(f"do {s['donor']} tài trợ")
    return s["programme"] + (": " + ", ".join(details) if details else "")


# A member's scholarships below the province are named one by one up to this many; beyond it they are
# summed in one clause and listed in the annex, so that the text (and the PDF) costs what a member
# holds, not what its communes list.
LISTED_BELOW = 5


def summarised_members(scholarships: list[dict]) -> set:
    """The members whose scholarships below the province are too many to name in the text."""
    counts: dict = {}
    for s in scholarships:
        if s.get("below"):
            counts[s["member_id"]] = counts.get(s["member_id"], 0) + 1
    return {member for member, count in counts.items() if count > LISTED_BELOW}


def below_scholarships(scholarships: list[dict]) -> list[dict]:
    """The scholarships the text sums rather than names: the annex lists them, in report order."""
    summarised = summarised_members(scholarships)
    return [s for s in scholarships if s.get("below") and s["member_id"] in summarised]


def _summary_clause(listed: list[dict]) -> str:
    """'các hội cấp dưới có 120 chương trình học bổng, 1.450 suất, trị giá 2,1 tỷ đồng (danh sách ở phụ lục)'"""
    details = [f"{grouped(len(listed))} chương trình học bổng"]
    awards = sum(s["awards"] or 0 for s in listed)
    if awards:
        details.append(f"{grouped(awards)} suất")
    values = [s["value"] for s in listed if s["value"] is not None]
    if values:
        details.append(f"trị giá {money_short(sum(values))}")
    return f"các hội cấp dưới có {', '.join(details)} (danh sách ở phụ lục)"


def funds_paragraphs(
    *, members: list[dict], funds: list[dict], local_funds: list[dict], scholarships: list[dict]
):
    """[(member name, text)] for the members with named funds, local funds or scholarships, in member order."""
    paragraphs = []
    summarised = summarised_members(scholarships)
    for m in members:
        clauses = _fund_clauses([f for f in funds if f["member_id"] == m["id"]])
        clauses += [_local_fund_clause(lf, m["name"]) for lf in local_funds if lf["member_id"] == m["id"]]
        own = [s for s in scholarships if s["member_id"] == m["id"]]
        if m["id"] in summarised:
            clauses += [_scholarship_clause(s) for s in own if not s.get("below")]
            clauses.append(_summary_clause([s for s in own if s.get("below")]))
        else:
            clauses += [_scholarship_clause(s) for s in own]
        if clauses:
            paragraphs.append((m["name"], "; ".join(clauses) + "."))
    return paragraphs


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def transfer_sentence(t: dict) -> str:
    """'Hội Khuyến học Việt Nam trao 50 triệu đồng hỗ trợ Hội Khuyến học huyện Yên Minh.'"""
    given = f"{t['giver']} trao" + (f" {money_short(t['amount'])}" if t["amount"] is not None else "")
    purpose = t["purpose"].rstrip(".")
    if t["recipient_short"] and t["recipient_short"] in purpose:
        return f"{given} {_lower_first(purpose)}."
    return f"{given} cho {t['recipient']} ({_lower_first(purpose)})."


def next_host_sentence(*, conference: dict, year: int) -> str:
    if not conference.get("next_host"):
        return ""
    giver = (
        f"{conference['host']} trao cờ luân lưu cho "
        if conference.get("host")
        else "Cờ luân lưu được trao cho "
    )
    if conference["kind"] == "so_ket":
        return f"{giver}{conference['next_host']}, đơn vị đăng cai hội nghị tiếp theo của cụm."
    return f"{giver}{conference['next_host']}, đơn vị đăng cai Hội nghị giao ban cụm năm {year + 1}."


def rounded_count(value: int) -> str:
    """A count as the conference articles round it: 1432 -> 'hơn 1.400', 3612345 -> 'hơn 3,6 triệu'."""
    if value >= 1_000_000:
        tenths = value // 100_000
        whole, tenth = divmod(tenths, 10)
        text = f"{grouped(whole)},{tenth} triệu" if tenth else f"{grouped(whole)} triệu"
        exact = tenths * 100_000 == value
    elif value >= 1000:
        unit = 10 ** (len(str(value)) - 2)
        down = value // unit * unit
        text, exact = grouped(down), down == value
    else:
        text, exact = grouped(value), True
    return text if exact else f"hơn {text}"


def _pct(value: str | None) -> str:
    return percent(Decimal(value)).removeprefix("+")


def society_sentence(*, society: dict, titles: list[dict]) -> str:
    """The cluster's organisation and learning titles in one or two sentences, as the articles write them:
    'Toàn cụm có hơn 1.400 hội cấp xã, hơn 20.000 chi hội, …; hơn 3,6 triệu hội viên (…% dân số).'"""
    counted = [
        (society.get("communes") or None, "hội cấp xã"),
        (society.get("chapters"), "chi hội"),
        (society.get("boards"), "ban khuyến học"),
    ]
    parts = [f"{rounded_count(n)} {label}" for n, label in counted if n is not None]
    sentences = []
    members = society.get("members")
    if members is not None:
        share = society.get("members_share")
        clause = f"{rounded_count(members)} hội viên"
        parts_text = "; ".join(
            filter(None, [", ".join(parts), clause + (f" ({_pct(share)} dân số)" if share else "")])
        )
    else:
        parts_text = ", ".join(parts)
    if parts_text:
        sentences.append(f"Toàn cụm có {parts_text}.")
    recognised = []
    for title in titles:
        count = society.get(title["numerator"])
        if count is None:
            continue
        clause = f"{rounded_count(count)} {title['heading'][0].lower()}{title['heading'][1:]}"
        share = society.get(title["name"])
        if share is not None:
            clause += f" ({_pct(share)} {title['denominator_label'].removeprefix('số ')}"
            target = title["target"]
            progress = society.get(f"{title['name']}_progress")
            if target and progress is not None:
                clause += f", đạt {_pct(progress)} mục tiêu năm {target['year']}"
            clause += ")"
        recognised.append(clause)
    if recognised:
        sentences.append("Đã công nhận " + ", ".join(recognised) + ".")
    return " ".join(sentences)
