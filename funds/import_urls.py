"""Spreadsheet import and export (issue 6)."""

from django.urls import path

from . import import_views as views

urlpatterns = [
    path("nhap-so-lieu/", views.import_upload, name="import_upload"),
    path("nhap-so-lieu/xac-nhan/", views.import_confirm, name="import_confirm"),
    path("nhap-so-lieu/tac-vu/<uuid:job_id>/", views.import_job, name="import_job"),
    path("nhap-so-lieu/tac-vu/<uuid:job_id>/trang-thai/", views.import_job_status, name="import_job_status"),
    path("nhap-so-lieu/huy/", views.import_cancel, name="import_cancel"),
    path("nhap-so-lieu/mau/", views.import_template, name="import_template"),
    path("xuat/so-lieu.<str:fmt>", views.export_figures, {"kind": "returns"}, name="export_returns"),
    path("xuat/so-du-quy.<str:fmt>", views.export_figures, {"kind": "funds"}, name="export_fund_balances"),
    path(
        "xuat/hoc-bong.<str:fmt>", views.export_figures, {"kind": "scholarships"}, name="export_scholarships"
    ),
]
