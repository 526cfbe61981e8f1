"""The report as plain data: what a cluster report shows, frozen into JSON when it is issued.

The HTML page and the PDF are both rendered from a snapshot, so an issued version shows exactly
the figures stored with it, and two snapshots can be compared to say what a correction changed.
"""

import json
from decimal import Decimal

from django.utils import translation
from django.utils.text import capfirst

from associations.models import Association, Tier
from core.numbers import grouped, money_short
from funds import catalogue
from funds.models import Qualifier

from . import prose
from .conferences import MemberReturns, combined_qualifier, member_returns
from .derivations import derivation_note
from .models import ClusterConference
from .selectors import ClusterReport, cluster_report

# 2: members carry `all_levels` and `below_mobilised`, and the text `coverage`; a schema-1 snapshot
# lacks them, renders without the reconciliation note, and compares as if they had not changed.
# 3: members carry `prev_from_predecessors` and `prev_note` (last year read from the predecessors of a
# province the 2025 reform created); older snapshots lack them and render without the note.
# 4: members and the total carry `society` (organisation and learning titles, from funds/catalogue.py),
# the document its `titles` and the text `society`; an older snapshot renders without that section.
SCHEMA = 4
# The catalogue groups of the section "Tổ chức hội và xây dựng xã hội học tập".
SOCIETY_GROUPS = (catalogue.G_ORGANISATION, catalogue.G_TITLES)
# Snapshot key, Totals attribute, label in a list of changes, how the value is written.
FIGURES = [
    ("cash", "mobilised_cash", "vận động bằng tiền", "money"),
    ("in_kind", "mobilised_in_kind", "vận động bằng hiện vật", "money"),
    ("mobilised", "mobilised", "tổng vận động", "money"),
    ("population", "population", "dân số", "count"),
    ("per_inhabitant", "per_inhabitant", "bình quân đầu người", "count"),
    ("per_inhabitant_change", "per_inhabitant_change", "so với năm trước", "count"),
    ("fund_balance", "fund_balance", "số dư quỹ", "money"),
    ("scholarship_awards", "scholarship_awards", "số suất học bổng", "count"),
    ("scholarship_value", "scholarship_value", "giá trị học bổng", "money"),
    # The pay-out total: the split's sum where a return gives it, else its single amount.
    ("awards_paid", "payouts", "khen thưởng, hỗ trợ", "money"),
    ("facilities", "facilities", "cơ sở vật chất", "money"),
]
# Figures that follow from others: a change to them is named through the figure it came from.
DERIVED = {"mobilised", "per_inhabitant", "per_inhabitant_change"}
QUALIFIED = {"cash": "mobilised_cash", "in_kind": "mobilised_in_kind", "fund_balance": "fund_balance"}
QUALIFIED |= {"awards_paid": "awards_paid", "facilities": "facilities"}
LISTS = {
    "funds": "Quỹ",
    "local_funds": "Quỹ cấp dưới",
    "scholarships": "Học bổng",
    "transfers": "Trao tặng tại hội nghị",
}
CONFERENCE_FIELDS = {
    "kind_label": "loại hội nghị",
    "number": "lần thứ",
    "date": "ngày họp",
    "place": "địa điểm",
    "host": "hội đăng cai",
    "presided_by": "chủ trì",
    "guests": "đại biểu",
    "summary": "đánh giá chung",
    "events": "diễn biến hội nghị",
    "directions": "phương hướng",
    "next_host": "hội đăng cai năm sau",
    "doc_symbol": "ký hiệu văn bản",
    "signer": "người ký",
    "recipients": "nơi nhận",
}


def _word(value: str) -> str:
    return str(Qualifier(value).label) if value else ""


def total_qualifiers(members: list[dict]) -> dict[str, str]:
    """The words before the cluster's totals, from the words the members' figures carry."""
    value_of = {_word(q.value): q.value for q in Qualifier}
    return {
        key: _word(combined_qualifier([value_of.get(m["qualifiers"].get(key, ""), "") for m in members]))
        for key in (*QUALIFIED, "mobilised")
    }


def _member_of(node: Association, members: list[Association]) -> int | None:
    for m in members:
        if m.tree_id == node.tree_id and m.lft <= node.lft and node.rght <= m.rght:
            return m.pk
    return None


def _figures(totals) -> dict:
    return {key: getattr(totals, attr) for key, attr, _label, _kind in FIGURES}


def _society(totals, communes: int) -> dict:
    """The organisation and learning-title figures of a member or the cluster; a share as text ("70.0")."""
    out = {"communes": communes}
    for group in SOCIETY_GROUPS:
        for f in catalogue.figures(group=group):
            value = getattr(totals, f.name)
            out[f.name] = str(value) if isinstance(value, Decimal) else value
    # The report's table reads each title's two figures in the order of the document's `titles`.
    out["titles"] = [{"recognised": out[t.numerator], "share": out[t.name]} for t in catalogue.shares()]
    return out


def _titles(year: int) -> list[dict]:
    """The shares the section shows, each with its heading and the target of the year."""
    titles = []
    for share in catalogue.shares():
        target = share.target_for(year)
        titles.append(
            {
                "name": share.name,
                "heading": capfirst(str(share.label).removeprefix("tỷ lệ ")),
                "numerator": share.numerator,
                "denominator": share.denominator,
                "denominator_label": str(catalogue.get(share.denominator).label),
                "target": {"pct": target.pct, "year": target.year, "decision": target.decision}
                if target
                else None,
            }
        )
    return titles


def _qualifiers(returns: MemberReturns) -> dict:
    words = {key: returns.qualifier(field) for key, field in QUALIFIED.items()}
    words["mobilised"] = combined_qualifier([words["cash"], words["in_kind"]])
    return {key: _word(value) for key, value in words.items() if value}


def _conference(conference: ClusterConference | None) -> dict | None:
    if conference is None:
        return None
    return {
        "kind": conference.kind,
        "kind_label": str(conference.get_kind_display()),
        "number": conference.number,
        "date": conference.date.isoformat() if conference.date else None,
        "place": conference.place,
        "host": conference.host.name if conference.host else "",
        "next_host": conference.next_host.name if conference.next_host else "",
        "presided_by": conference.presided_by,
        "guests": conference.guest_lines,
        "summary": conference.summary,
        "events": conference.event_lines,
        "directions": conference.direction_lines,
        "doc_symbol": conference.doc_symbol,
        "signer": {
            "authority": conference.signer_authority,
            "title": conference.signer_title,
            "name": conference.signer_name,
        },
        "recipients": conference.recipient_lines,
    }


def live(*, cluster: Association, year: int, conference: ClusterConference | None = None) -> dict:
    """The snapshot of the figures as they stand now (eleven queries: the report's nine, the members' returns' two)."""
    report = cluster_report(cluster=cluster, year=year, conference=conference)
    returns = member_returns(cluster=cluster, year=year, members=[row.association for row in report.members])
    # Through JSON and back, so that a live snapshot compares equal to a stored one.
    return json.loads(json.dumps(build(report=report, returns=returns, conference=report.conference)))


def build(
    *, report: ClusterReport, returns: dict[int, MemberReturns], conference: ClusterConference | None
) -> dict:
    """The JSON-ready snapshot of a report: its figures and the sentences written from them, in Vietnamese."""
    with translation.override("vi"):
        return _build(report, returns, conference)


def _build(report: ClusterReport, returns: dict[int, MemberReturns], conference) -> dict:
    nodes = [row.association for row in report.members]
    members = []
    for row in report.members:
        member_returns = returns.get(row.association.pk, MemberReturns())
        members.append(
            {
                "id": row.association.pk,
                "name": row.association.short_name,
                "full_name": row.association.name,
                "has_data": row.totals.has_data,
                "state": member_returns.state,
                "state_label": prose.STATE_LABELS[member_returns.state],
                "figures": _figures(row.totals),
                "qualifiers": _qualifiers(member_returns),
                "rank": row.rank,
                "note": (row.own_return.notes.strip() if row.own_return else ""),
                "all_levels": row.totals.all_levels,
                "below_mobilised": row.totals.below_mobilised,
                "prev_from_predecessors": row.totals.prev_from_predecessors,
                "prev_note": derivation_note(row.totals.prev_derived, report.year - 1),
                "society": _society(row.totals, row.communes),
            }
        )
    total_words = total_qualifiers(members)
    doc = {
        "schema": SCHEMA,
        "year": report.year,
        "cluster": {"name": report.cluster.name, "short_name": report.cluster.short_name},
        "conference": _conference(conference),
        "members": members,
        "total": {
            "figures": _figures(report.total),
            "qualifiers": {k: v for k, v in total_words.items() if v},
            "reporting": sum(1 for m in members if m["has_data"]),
            "society": _society(report.total, report.communes),
        },
        "titles": _titles(report.year),
        "funds": [
            {
                "member_id": _member_of(b.fund.association, nodes),
                "name": b.fund.name,
                "balance": b.balance,
                "qualifier": _word(b.qualifier),
            }
            for b in report.funds
        ],
        "local_funds": [
            {
                "member_id": _member_of(r.association, nodes),
                "name": r.association.name,
                "parent": r.association.parent.short_name if r.association.parent else "",
                "balance": r.fund_balance,
                "qualifier": _word(r.qualifiers.get("fund_balance", "")),
            }
            for r in report.local_funds
        ],
        "scholarships": [
            {
                "member_id": _member_of(s.association, nodes),
                # Listed below the province (a district's, a commune's): summarised in the text when
                # many, and listed in full in the annex (prose.funds_paragraphs, below_scholarships).
                "below": s.association.tier not in (Tier.PROVINCE, Tier.CLUSTER, Tier.CENTRAL),
                "association": s.association.short_name,
                "programme": s.programme,
                "awards": s.awards,
                "value": s.total_value,
                "in_kind": s.in_kind,
                "abroad": s.abroad,
                "donor": s.donor,
            }
            for s in report.scholarships
        ],
        "transfers": [
            {
                "giver": t.giver_label,
                "recipient": t.recipient.name,
                "recipient_short": t.recipient.short_name,
                "amount": t.amount,
                "purpose": t.purpose,
            }
            for t in report.transfers
        ],
    }
    doc["text"] = _text(doc)
    return doc


def _text(doc: dict) -> dict:
    year, conference = doc["year"], doc["conference"]
    return {
        "title": prose.conference_title(conference["kind"], conference["number"], year)
        if conference
        else prose.conference_title("giao_ban", None, year),
        "opening": prose.opening(cluster=doc["cluster"]["name"], conference=conference, year=year)
        if conference
        else "",
        "members": prose.members_sentence(doc["members"]),
        "status": prose.figures_status(members=doc["members"], year=year),
        "results": [prose.member_sentence(m, year=year) for m in doc["members"]],
        "coverage": prose.coverage_notes(doc["members"]),
        "funds": prose.funds_paragraphs(
            members=doc["members"],
            funds=doc["funds"],
            local_funds=doc["local_funds"],
            scholarships=doc["scholarships"],
        ),
        "transfers": [prose.transfer_sentence(t) for t in doc["transfers"]],
        "next_host": prose.next_host_sentence(conference=conference, year=year) if conference else "",
        "society": prose.society_sentence(society=doc["total"]["society"], titles=doc["titles"]),
    }


def _show(value, kind: str) -> str:
    if value is None:
        return "—"
    return money_short(value) if kind == "money" else grouped(value)


def changes(old: dict, new: dict) -> list[str]:
    """What differs between two snapshots, one Vietnamese line per changed fact; derived figures are left out."""
    with translation.override("vi"):
        return _changes(old, new)


def _changes(old: dict, new: dict) -> list[str]:
    lines = []
    old_members = {m["id"]: m for m in old["members"]}
    for m in new["members"]:
        before = old_members.get(m["id"])
        if before is None:
            lines.append(f"{m['name']}: thêm vào cụm")
            continue
        for key, _attr, label, kind in FIGURES:
            if key in DERIVED:
                continue
            a, b = before["figures"][key], m["figures"][key]
            qa, qb = before["qualifiers"].get(key, ""), m["qualifiers"].get(key, "")
            if (a, qa) != (b, qb):
                lines.append(
                    f"{m['name']}: {label} {' '.join(filter(None, [qa, _show(a, kind)]))} → "
                    f"{' '.join(filter(None, [qb, _show(b, kind)]))}"
                )
        if before["note"] != m["note"]:
            lines.append(f"{m['name']}: sửa ghi chú")
        if before["state"] != m["state"]:
            lines.append(f"{m['name']}: {before['state_label']} → {m['state_label']}")
        lines += _coverage_changes(before, m)
        lines += _society_changes(before, m)
    for name in sorted(set(old_members) - {m["id"] for m in new["members"]}):
        lines.append(f"{old_members[name]['name']}: không còn trong cụm")
    for key, label in LISTS.items():
        lines += [f"{label}: {line}" for line in _list_changes(old[key], new[key])]
    old_conf, new_conf = old["conference"] or {}, new["conference"] or {}
    for key, label in CONFERENCE_FIELDS.items():
        if old_conf.get(key) != new_conf.get(key):
            lines.append(f"Thông tin hội nghị: sửa {label}")
    return lines


def _scope(member: dict) -> str:
    return "số toàn tỉnh" if member.get("all_levels") else "số của hội tỉnh cộng các hội cấp dưới"


def _coverage_changes(before: dict, member: dict) -> list[str]:
    """A member's figure turned all-levels or back, or what the returns below it add up to changed.

    Nothing against a snapshot from before coverage was recorded (no `all_levels`): it cannot say.
    """
    if "all_levels" not in before or "all_levels" not in member:
        return []
    name = member["name"]
    if before["all_levels"] != member["all_levels"]:
        return [f"{name}: {_scope(before)} → {_scope(member)}"]
    a, b = before.get("below_mobilised"), member.get("below_mobilised")
    if member["all_levels"] and a != b:
        return [f"{name}: các hội cấp dưới báo cáo cộng lại {_show(a, 'money')} → {_show(b, 'money')}"]
    return []


def _society_changes(before: dict, member: dict) -> list[str]:
    """A member's typed organisation or title figures that changed; nothing against a snapshot before schema 4."""
    if "society" not in before or "society" not in member:
        return []
    lines = []
    for group in SOCIETY_GROUPS:
        for f in catalogue.figures(group=group, column=True):
            a, b = before["society"].get(f.name), member["society"].get(f.name)
            if a != b:
                lines.append(f"{member['name']}: {f.label} {_show(a, 'count')} → {_show(b, 'count')}")
    return lines


def _identity(item: dict) -> tuple:
    """What names an item across versions: its member (or giver and recipient) and its name."""
    name = item.get("name") or item.get("programme") or item.get("purpose")
    return (item.get("member_id"), item.get("giver"), item.get("recipient"), name)


def _value(item: dict) -> str:
    value = item.get("balance", item.get("value", item.get("amount")))
    return " ".join(filter(None, [item.get("qualifier", ""), _show(value, "money")]))


def _list_changes(old: list[dict], new: list[dict]) -> list[str]:
    """'Quỹ Hùng Vương: 11,1 tỷ đồng → 12 tỷ đồng', 'thêm …', 'bỏ …' for one list of a snapshot."""
    before = {_identity(i): i for i in old}
    after = {_identity(i): i for i in new}
    lines = []
    for identity, item in after.items():
        name = identity[-1]
        if identity not in before:
            lines.append(f"thêm {name} ({_value(item)})")
        elif before[identity] != item:
            previous = before[identity]
            if _value(previous) != _value(item):
                lines.append(f"{name}: {_value(previous)} → {_value(item)}")
            else:
                lines.append(f"sửa {name}")
    lines += [
        f"bỏ {identity[-1]} ({_value(item)})" for identity, item in before.items() if identity not in after
    ]
    return lines
