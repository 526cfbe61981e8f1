"""Accounts: a reviewer helps the users in their care with a temporary password or a reset link."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from associations.access import can_manage_accounts, get_user_for_reviewer, users_within
from associations.models import Perm, Role

from .accounts import user_issue_reset_link, user_set_temporary_password

PAGE_SIZE = 50


def password_reset(request):
    """Django's reset-by-mail form where mail is set up; otherwise, who to ask for a link."""
    if not settings.PASSWORD_RESET_BY_EMAIL:
        return render(request, "registration/password_reset_unavailable.html")
    return auth_views.PasswordResetView.as_view()(request)


@login_required
def user_list(request):
    if not can_manage_accounts(request.user):
        raise PermissionDenied
    users = users_within(request.user, Perm.REVIEW).order_by("username")
    query = request.GET.get("q", "").strip()
    if query:
        users = users.filter(
            Q(username__icontains=query) | Q(first_name__icontains=query) | Q(last_name__icontains=query)
        )
    users = users.prefetch_related(
        Prefetch(
            "roles", queryset=Role.objects.select_related("association").order_by("association__sort_key")
        )
    )
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(request, "khuyenhoc/user_list.html", {"page": page, "query": query})


@login_required
def user_detail(request, pk: int):
    target = get_user_for_reviewer(request.user, pk)
    return _detail(request, target, SetPasswordForm(target))


@login_required
@require_POST
def user_temporary_password(request, pk: int):
    target = get_user_for_reviewer(request.user, pk)
    form = SetPasswordForm(target, request.POST)
    if not form.is_valid():  # the form runs Django's password validators
        return _detail(request, target, form, status=400)
    user_set_temporary_password(user=request.user, target=target, password=form.cleaned_data["new_password1"])
    messages.success(
        request,
        _("Đã đặt mật khẩu tạm cho %(name)s. Người này phải đổi mật khẩu ngay khi đăng nhập.")
        % {"name": target.get_username()},
    )
    return redirect("user_detail", pk=target.pk)


@login_required
@require_POST
def user_reset_link(request, pk: int):
    target = get_user_for_reviewer(request.user, pk)
    uidb64, token = user_issue_reset_link(user=request.user, target=target)
    link = request.build_absolute_uri(reverse("password_reset_confirm", args=[uidb64, token]))
    return _detail(request, target, SetPasswordForm(target), reset_link=link)


def _detail(request, target, form, *, status: int = 200, reset_link: str = ""):
    roles = target.roles.select_related("association").order_by("association__sort_key")
    return render(
        request,
        "khuyenhoc/user_detail.html",
        {
            "target": target,
            "roles": roles,
            "form": form,
            "reset_link": reset_link,
            "reset_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        },
        status=status,
    )
