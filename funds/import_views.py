"""Spreadsheet import (upload → preview → confirm) and export of the yearly figures.

Between the preview and the confirmation the uploaded file is kept in the import stash
(funds/spreadsheets/stash.py) under a random token; the session holds only the token, the file's
SHA-256 and the preview's fingerprint. The confirmation re-reads and re-checks the whole file (the
figures may have changed meanwhile), and the file is deleted once confirmed or cancelled.
"""

import hashlib
import secrets

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from associations.access import get_association_for_user, holds_perm_anywhere
from associations.models import Perm
from core.numbers import parse_id
from core.years import selected_year, year_choices

from . import imports
from .spreadsheets import files
from .spreadsheets.exports import FORMATS, export_file
from .spreadsheets.resources import RESOURCES
from .spreadsheets.stash import stash_drop, stash_get, stash_put

STASH_KEY = "funds_import"
PREVIEW_ROWS_SHOWN = 1000


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Tệp số liệu (.xlsx hoặc .csv)"))


def _require_importer(user) -> None:
    if not holds_perm_anywhere(user, Perm.EDIT_FIGURES):
        raise PermissionDenied(_("Bạn không có quyền nhập số liệu."))


def _drop_stash(request) -> None:
    info = request.session.pop(STASH_KEY, None)
    if info:
        stash_drop(info["token"])


def _stash(request, content: bytes, filename: str, fingerprint: str) -> str:
    """Keep the file for the confirmation; the session gets only a token and checksums."""
    _drop_stash(request)
    token = stash_put(content)
    request.session[STASH_KEY] = {
        "token": token,
        "name": filename,
        "sha256": hashlib.sha256(content).hexdigest(),
        "fingerprint": fingerprint,
    }
    return token


def _unstash(request) -> tuple[bytes, dict] | None:
    info = request.session.get(STASH_KEY)
    token = request.POST.get("token", "")
    if not info or not secrets.compare_digest(info["token"], token):
        return None
    content = stash_get(info["token"])
    if content is None:
        return None
    if hashlib.sha256(content).hexdigest() != info["sha256"]:
        return None
    return content, info


def _preview_page(
    request, preview, *, token: str | None, filename: str, status: int = 200, conflict=False, refusal=""
):
    changed = [r for r in preview.rows if r.status != "unchanged"]
    return render(
        request,
        "funds/import_preview.html",
        {
            "preview": preview,
            "changed_rows": changed[:PREVIEW_ROWS_SHOWN],
            "hidden_rows": max(0, len(changed) - PREVIEW_ROWS_SHOWN),
            "errors": preview.errors[:PREVIEW_ROWS_SHOWN],
            "hidden_errors": max(0, len(preview.errors) - PREVIEW_ROWS_SHOWN),
            "token": token,
            "filename": filename,
            "conflict": conflict,
            "outliers": preview.outliers[:PREVIEW_ROWS_SHOWN],
            "hidden_outliers": max(0, len(preview.outliers) - PREVIEW_ROWS_SHOWN),
            "refusal": refusal,
        },
        status=status,
    )


@login_required
def import_upload(request):
    # Everyone may open the page to download figures; only officers may upload.
    can_import = holds_perm_anywhere(request.user, Perm.EDIT_FIGURES)
    if request.method == "POST" and not can_import:
        raise PermissionDenied(_("Bạn không có quyền nhập số liệu."))
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            files.check_size(upload.size)
        except files.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            content = upload.read()
            preview = imports.import_preview(user=request.user, content=content, filename=upload.name)
            token = _stash(request, content, upload.name, preview.fingerprint) if preview.ok else None
            if token is None:
                _drop_stash(request)
            return _preview_page(request, preview, token=token, filename=upload.name)
    return render(
        request,
        "funds/import_upload.html",
        {
            "form": form,
            "can_import": can_import,
            "limit": files.limit_text(),
            "limit_bytes": settings.IMPORT_MAX_BYTES,
            "year": selected_year(request),
            "years": year_choices(),
            "max_rows": files.MAX_ROWS,
        },
    )


@login_required
@require_POST
def import_confirm(request):
    _require_importer(request.user)
    stashed = _unstash(request)
    if stashed is None:
        messages.error(
            request,
            _("Không còn tệp đang chờ xác nhận (đã nhập, đã huỷ hoặc đã hết hạn). Hãy tải tệp lên lại."),
        )
        return redirect("import_upload")
    content, info = stashed
    try:
        preview = imports.import_confirm(
            user=request.user,
            content=content,
            filename=info["name"],
            fingerprint=info["fingerprint"],
            confirm_outliers=request.POST.get("confirm_outliers") == "on",
        )
    except imports.ImportOutliersUnconfirmed as exc:
        # The file stays for a second try with the box ticked, as the entry form asks again.
        return _preview_page(
            request, exc.preview, token=info["token"], filename=info["name"], refusal=exc.message
        )
    except imports.ImportRefused as exc:
        _drop_stash(request)
        return _preview_page(request, exc.preview, token=None, filename=info["name"], status=409)
    except imports.ImportConflict as exc:
        token = _stash(request, content, info["name"], exc.preview.fingerprint)
        return _preview_page(
            request, exc.preview, token=token, filename=info["name"], status=409, conflict=True
        )
    _drop_stash(request)
    messages.success(
        request,
        _("Đã nhập tệp %(name)s: %(new)s hàng mới, %(changed)s hàng thay đổi, %(unchanged)s hàng giữ nguyên.")
        % {
            "name": info["name"],
            "new": preview.new,
            "changed": preview.changed,
            "unchanged": preview.unchanged,
        },
    )
    return redirect("import_upload")


@login_required
@require_POST
def import_cancel(request):
    _drop_stash(request)
    messages.info(request, _("Đã huỷ; không có số liệu nào được ghi."))
    return redirect("import_upload")


def _kind(request) -> str:
    kind = request.GET.get("loai", "returns")
    if kind not in RESOURCES:
        raise Http404
    return kind


def _download(filename: str, content_type: str, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def import_template(request):
    _require_importer(request.user)
    year = selected_year(request)
    return _download(
        *export_file(user=request.user, kind=_kind(request), year=year, fmt="xlsx", template=True)
    )


@login_required
def export_figures(request, kind: str, fmt: str):
    if fmt not in FORMATS or kind not in RESOURCES:
        raise Http404
    root = None
    if hoi := request.GET.get("hoi", ""):
        pk = parse_id(hoi)
        if pk is None:
            raise Http404
        root = get_association_for_user(request.user, pk)
    year = selected_year(request)
    return _download(*export_file(user=request.user, kind=kind, year=year, fmt=fmt, root=root))
