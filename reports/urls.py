from django.urls import include, path

from . import conference_views, views

urlpatterns = [
    path("cum/<int:pk>/hoi-nghi/", conference_views.conference_list, name="conference_list"),
    path("cum/<int:pk>/hoi-nghi/moi/", conference_views.conference_create, name="conference_create"),
    # The addresses of one conference a year keep working: they lead to the year's latest conference.
    path("cum/<int:pk>/hoi-nghi/<int:year>/", views.cluster_report, name="cluster_report"),
    path("cum/<int:pk>/hoi-nghi/<int:year>/pdf/", views.cluster_report_pdf, name="cluster_report_pdf"),
    path(
        "cum/<int:pk>/hoi-nghi/<int:year>/sua/",
        conference_views.conference_edit_year,
        name="conference_edit_year",
    ),
    path("hoi-nghi/<int:pk>/", views.conference_report, name="conference_report"),
    path("hoi-nghi/<int:pk>/pdf/", views.conference_pdf, name="conference_pdf"),
    path("hoi-nghi/<int:pk>/du-thao/", views.conference_draft, name="conference_draft"),
    path("hoi-nghi/<int:pk>/du-thao/pdf/", views.conference_draft_pdf, name="conference_draft_pdf"),
    path("hoi-nghi/<int:pk>/sua/", conference_views.conference_edit, name="conference_edit"),
    path("hoi-nghi/<int:pk>/ban-hanh/", views.conference_issue, name="conference_issue"),
    path("hoi-nghi/<int:pk>/ban-hanh/<int:version>/", views.issued_report, name="issued_report"),
    path("hoi-nghi/<int:pk>/ban-hanh/<int:version>/pdf/", views.issued_pdf, name="issued_pdf"),
    path("hoi-nghi/nam/<int:year>/zip/", views.reports_zip, name="reports_zip"),
    path("", include("reports.ranking_urls")),
]
