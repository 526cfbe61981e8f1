from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from associations.access import get_association_for_user, user_has_perm
from associations.models import Perm
from associations.spans import not_active_message, related_in
from core.numbers import grouped, parse_id
from core.years import MAX_YEAR, MIN_YEAR, year_choices

from . import services, workflow
from .access import get_return_for_user
from .cached import node_totals
from .forms import (
    FundFormSet,
    ReopenForm,
    ReturnForm,
    ScholarshipFormSet,
    SendBackForm,
    TransferFormSet,
    error_summary,
    form_fields,
)
from .history import changes_since, return_history, was_sent_back
from .models import AnnualReturn
from .selectors import funds_with_balance, transfers_received


def _check_year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404
    return year


def _initial(annual_return, funds, scholarships, transfers):
    figures = {}
    if annual_return is not None:
        figures = {name: getattr(annual_return, name) for name in form_fields()}
        figures["version"] = annual_return.version
    fund_rows = [{"fund_id": f.pk, "name": f.name, "kind": f.kind, "balance": f.balance} for f in funds]
    scholarship_rows = [
        {k: getattr(s, k) for k in ["id", "programme", "donor", "awards", "total_value", "in_kind", "abroad"]}
        for s in scholarships
    ]
    transfer_rows = [
        {
            "id": t.pk,
            "giver_id": t.giver_id,
            "giver_name": t.giver.name if t.giver_id else t.giver_name,
            "date": t.date,
            "amount": t.amount,
            "purpose": t.purpose,
        }
        for t in transfers
    ]
    return figures, fund_rows, scholarship_rows, transfer_rows


def _changes(form, fund_set, scholarship_set, transfer_set) -> services.ReturnChanges:
    # A row ticked for deletion is not validated, so it may lack any field but its id: hence .get().
    kept = lambda fs: [f.cleaned_data for f in fs.forms if f.cleaned_data]  # noqa: E731
    return services.ReturnChanges(
        figures=form.figures(),
        funds=[
            services.FundRow(
                fund_id=d.get("fund_id"),
                name=d.get("name", ""),
                kind=d.get("kind", ""),
                balance=d.get("balance"),
                delete=d.get("DELETE", False),
            )
            for d in kept(fund_set)
        ],
        scholarships=[
            services.ScholarshipRow(
                id=d.get("id"),
                programme=d.get("programme", ""),
                donor=d.get("donor", ""),
                awards=d.get("awards"),
                total_value=d.get("total_value"),
                in_kind=d.get("in_kind", False),
                abroad=d.get("abroad", False),
                delete=d.get("DELETE", False),
            )
            for d in kept(scholarship_set)
        ],
        transfers=[
            services.TransferRow(
                id=d.get("id"),
                giver_id=d.get("giver_id"),
                giver_name="" if d.get("giver_id") else d.get("giver_name", ""),
                date=d.get("date"),
                amount=d.get("amount"),
                purpose=d.get("purpose", ""),
                delete=d.get("DELETE", False),
            )
            for d in kept(transfer_set)
        ],
    )


# The entry page's tables of rows: (formset prefix, title, label of the add button, text when empty).
ROW_SECTIONS = [
    (
        "funds",
        gettext_lazy("Quỹ mang tên, quỹ học bổng, quỹ dòng họ"),
        gettext_lazy("Thêm quỹ"),
        gettext_lazy("Chưa có quỹ nào."),
    ),
    (
        "scholarships",
        gettext_lazy("Học bổng trong năm"),
        gettext_lazy("Thêm học bổng"),
        gettext_lazy("Chưa có học bổng nào."),
    ),
    (
        "transfers",
        gettext_lazy("Các khoản được trao tặng trong năm"),
        gettext_lazy("Thêm khoản nhận"),
        gettext_lazy("Chưa có khoản nào."),
    ),
]


def _submit_after_save(request, annual_return: AnnualReturn) -> None:
    """Send a just-saved return for review; the save stands whatever the outcome, and the message says so."""
    try:
        workflow.annual_return_submit(user=request.user, annual_return=annual_return)
    except ValidationError as exc:
        messages.error(
            request,
            _("Đã lưu số liệu nhưng chưa gửi được báo cáo: %(reason)s") % {"reason": " ".join(exc.messages)},
        )
    else:
        messages.success(
            request, _("Đã lưu số liệu và gửi báo cáo năm %(year)s để duyệt.") % {"year": annual_return.year}
        )


def _conflict_rows(form, current: AnnualReturn | None) -> list[tuple[str, str, str]]:
    """(label, value saved by the other person, value typed here) for each figure that differs."""
    if current is None:
        return []
    rows = []
    for name in form.FIELDS:
        theirs, yours = getattr(current, name), form.cleaned_data.get(name)
        if theirs != yours:
            show = lambda v: "—" if v in (None, "") else (grouped(v) if isinstance(v, int) else v)  # noqa: E731
            rows.append((form.fields[name].label, show(theirs), show(yours)))
    return rows


@login_required
def return_edit(request, pk: int, year: int):
    # Everyone who sees the association may read the return (a reviewer must, to approve or reopen
    # it); only saving needs the entry right.
    write = request.method == "POST"
    association = get_association_for_user(request.user, pk, perm=Perm.EDIT_FIGURES if write else None)
    year = _check_year(year)
    annual_return = (
        association.returns.filter(year=year).select_related("submitted_by", "approved_by").first()
    )
    previous = association.returns.filter(year=year - 1).first()
    funds = list(funds_with_balance(association=association, year=year))
    scholarships = list(association.scholarships.filter(year=year).order_by("programme"))
    transfers = list(transfers_received(association=association, year=year))
    figures, fund_rows, scholarship_rows, transfer_rows = _initial(
        annual_return, funds, scholarships, transfers
    )
    status = 200
    conflict = None

    if request.method == "POST":
        data = request.POST.copy()
        form = ReturnForm(data)
        fund_set = FundFormSet(data, prefix="funds")
        scholarship_set = ScholarshipFormSet(data, prefix="scholarships")
        transfer_set = TransferFormSet(data, prefix="transfers", form_kwargs={"year": year})
        valid = all(
            [form.is_valid(), fund_set.is_valid(), scholarship_set.is_valid(), transfer_set.is_valid()]
        )
        if annual_return is not None and annual_return.is_locked:
            form.add_error(None, _("Báo cáo năm %(year)s đã được duyệt nên không thể sửa.") % {"year": year})
            status = 409
        elif valid:
            try:
                saved = services.annual_return_save(
                    user=request.user,
                    association=association,
                    year=year,
                    changes=_changes(form, fund_set, scholarship_set, transfer_set),
                    expected_version=form.cleaned_data.get("version"),
                    confirm_outliers=form.cleaned_data.get("confirm_outliers", False),
                )
            except services.ConflictError as exc:
                conflict = _conflict_rows(form, exc.current)
                # Keep what was typed; a second save now knowingly replaces the other person's values.
                data["version"] = exc.current.version if exc.current else ""
                form = ReturnForm(data)
                form.is_valid()
                status = 409
            except services.OutlierError as exc:
                form.show_outliers(exc.outliers)
                form.add_error(None, exc.messages[0])
            except ValidationError as exc:
                # Figures that contradict each other (funds.catalogue.consistency_errors) show at their field.
                by_field = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
                for name, field_messages in by_field.items():
                    for message in field_messages:
                        form.add_error(name if name in form.fields else None, message)
                refused = isinstance(exc, services.LockedError | services.InactiveYearError)
                status = 409 if refused else 200
            else:
                # "Lưu và gửi" saves what is on the page first, so that no typed figure is left behind.
                if request.POST.get("gui_duyet"):
                    _submit_after_save(request, saved)
                else:
                    messages.success(request, _("Đã lưu số liệu năm %(year)s.") % {"year": year})
                return redirect("return_edit", pk=association.pk, year=year)
    else:
        form = ReturnForm(initial=figures)
        fund_set = FundFormSet(initial=fund_rows, prefix="funds")
        scholarship_set = ScholarshipFormSet(initial=scholarship_rows, prefix="scholarships")
        transfer_set = TransferFormSet(initial=transfer_rows, prefix="transfers", form_kwargs={"year": year})

    totals = node_totals(year=year, node=association)
    locked = annual_return is not None and annual_return.is_locked
    reopened = annual_return is not None and annual_return.status == AnnualReturn.Status.DRAFT
    reopened = reopened and bool(annual_return.reopen_reason)
    can_edit = write or user_has_perm(request.user, association, Perm.EDIT_FIGURES)
    not_active = None
    if not association.is_active_in(year):
        related = related_in(association, year)
        not_active = not_active_message(association, year, who=association.name, related=related)
    formsets = {"funds": fund_set, "scholarships": scholarship_set, "transfers": transfer_set}
    sections = [
        {"formset": formsets[prefix], "title": title, "add_label": add, "empty": empty}
        for prefix, title, add, empty in ROW_SECTIONS
    ]
    return render(
        request,
        "funds/return_edit.html",
        {
            "association": association,
            "year": year,
            "years": year_choices(association),
            "annual_return": annual_return,
            "previous": previous,
            "form": form,
            "fund_set": fund_set,
            "scholarship_set": scholarship_set,
            "transfer_set": transfer_set,
            "row_sections": sections,
            "error_summary": error_summary(form, [(s["title"], s["formset"]) for s in sections]),
            # After a refused POST what the page shows is not what is stored: leaving must ask first.
            "unsaved": write,
            "totals": totals,
            "conflict": conflict,
            "locked": locked,
            "can_edit": can_edit,
            "read_only": locked or not can_edit or not_active is not None,
            "not_active": not_active,
            "can_submit": can_edit
            and not locked
            and not_active is None
            and (annual_return is None or annual_return.status == AnnualReturn.Status.DRAFT),
            "can_review": annual_return is not None and user_has_perm(request.user, association, Perm.REVIEW),
            "reopen_form": ReopenForm(),
            "reopened": reopened,
            "sent_back": reopened and was_sent_back(annual_return),
        },
        status=status,
    )


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@login_required
@require_POST
def return_submit(request, pk: int):
    annual_return = get_return_for_user(request.user, pk, perm=Perm.EDIT_FIGURES)
    try:
        workflow.annual_return_submit(user=request.user, annual_return=annual_return)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã gửi báo cáo để duyệt."))
    return redirect("return_edit", pk=annual_return.association_id, year=annual_return.year)


def stale_message(annual_return: AnnualReturn, changes: list) -> str:
    """Why a decision on `annual_return` was refused, with each change since it was seen."""
    lines = "; ".join(f"{c.field}: {c.old} → {c.new}" for c in changes)
    return _(
        "Báo cáo của %(name)s đã thay đổi sau khi bạn mở nên chưa được xử lý. Thay đổi: %(lines)s. "
        "Hãy xem lại báo cáo."
    ) % {"name": annual_return.association.name, "lines": lines}


def _decide(request, decide, done: str) -> None:
    """Run a reviewer's decision on the version posted with it, and say how it went."""
    seen = parse_id(request.POST.get("version", ""))
    if seen is None:
        messages.error(request, _("Không rõ bạn đã xem bản nào của báo cáo; hãy tải lại trang."))
        return
    try:
        decide(expected_version=seen)
    except workflow.StaleVersionError as exc:
        changes = changes_since([exc.current], {exc.current.pk: exc.seen})[exc.current.pk]
        messages.error(request, stale_message(exc.current, changes))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)


@login_required
@require_POST
def return_approve(request, pk: int):
    annual_return = get_return_for_user(request.user, pk, perm=Perm.REVIEW)
    _decide(
        request,
        partial(workflow.annual_return_approve, user=request.user, annual_return=annual_return),
        _("Đã duyệt báo cáo của %(name)s.") % {"name": annual_return.association.name},
    )
    return _back(request, reverse("review_list") + f"?nam={annual_return.year}")


@login_required
@require_POST
def return_send_back(request, pk: int):
    annual_return = get_return_for_user(request.user, pk, perm=Perm.REVIEW)
    form = SendBackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Cần ghi lý do trả lại báo cáo."))
    else:
        _decide(
            request,
            partial(
                workflow.annual_return_send_back,
                user=request.user,
                annual_return=annual_return,
                reason=form.cleaned_data["reason"],
            ),
            _("Đã trả lại báo cáo của %(name)s cho cán bộ nhập liệu.")
            % {"name": annual_return.association.name},
        )
    return _back(request, reverse("review_list") + f"?nam={annual_return.year}")


def report_bulk_approval(request, result: workflow.BulkApproval, seen: dict[int, int], done: str) -> None:
    """Say how many returns a bulk approval approved, and what changed in those it refused."""
    if result.approved:
        messages.success(request, done)
    changes = changes_since(result.changed, seen)
    for annual_return in result.changed:
        messages.error(request, stale_message(annual_return, changes[annual_return.pk]))


@login_required
@require_POST
def return_reopen(request, pk: int):
    annual_return = get_return_for_user(request.user, pk, perm=Perm.REVIEW)
    form = ReopenForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Cần ghi lý do mở lại báo cáo."))
        workflow.annual_return_reopen(
            user=request.user, annual_return=annual_return, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã mở lại báo cáo; cán bộ nhập liệu có thể sửa."))
    return _back(request, reverse("return_edit", args=[annual_return.association_id, annual_return.year]))


@login_required
def return_history_view(request, pk: int, year: int):
    association = get_association_for_user(request.user, pk)
    year = _check_year(year)
    return render(
        request,
        "funds/history.html",
        {
            "association": association,
            "year": year,
            "entries": return_history(association_id=association.pk, year=year),
        },
    )
