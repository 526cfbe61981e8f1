from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import account_views, errors, views

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error

accounts = [
    path("doi-mat-khau/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("doi-mat-khau/xong/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("quen-mat-khau/", account_views.password_reset, name="password_reset"),
    path("quen-mat-khau/da-gui/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "dat-lai-mat-khau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "dat-lai-mat-khau/xong/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("nguoi-dung/", account_views.user_list, name="user_list"),
    path("nguoi-dung/<int:pk>/", account_views.user_detail, name="user_detail"),
    path(
        "nguoi-dung/<int:pk>/mat-khau-tam/",
        account_views.user_temporary_password,
        name="user_temporary_password",
    ),
    path("nguoi-dung/<int:pk>/lien-ket/", account_views.user_reset_link, name="user_reset_link"),
]

urlpatterns = [
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("tai-khoan/", include(accounts)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri/", admin.site.urls),
    path("", views.home, name="home"),
    path("hoi/<int:pk>/", views.association_detail, name="association_detail"),
    path("", include("associations.urls")),
    path("", include("funds.urls")),
    path("", include("funds.import_urls")),
    path("", include("reports.urls")),
]
