from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri/", admin.site.urls),
    path("", views.home, name="home"),
    path("hoi/<int:pk>/", views.association_detail, name="association_detail"),
    path("", include("funds.urls")),
    path("", include("funds.import_urls")),
    path("", include("reports.urls")),
]
