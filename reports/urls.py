from django.urls import include, path

from . import views

urlpatterns = [
    path("cum/<int:pk>/hoi-nghi/<int:year>/", views.cluster_report, name="cluster_report"),
    path("cum/<int:pk>/hoi-nghi/<int:year>/pdf/", views.cluster_report_pdf, name="cluster_report_pdf"),
    path("cum/<int:pk>/hoi-nghi/<int:year>/sua/", views.conference_edit, name="conference_edit"),
    path("", include("reports.ranking_urls")),
]
