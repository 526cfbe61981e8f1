from django.urls import path

from . import job_views, review_views, views

urlpatterns = [
    path("hoi/<int:pk>/so-lieu/<int:year>/", views.return_edit, name="return_edit"),
    path("hoi/<int:pk>/so-lieu/<int:year>/lich-su/", views.return_history_view, name="return_history"),
    path("bao-cao-nam/<int:pk>/gui/", views.return_submit, name="return_submit"),
    path("bao-cao-nam/<int:pk>/duyet/", views.return_approve, name="return_approve"),
    path("bao-cao-nam/<int:pk>/mo-lai/", views.return_reopen, name="return_reopen"),
    path("bao-cao-nam/<int:pk>/tra-lai/", views.return_send_back, name="return_send_back"),
    path("duyet/", review_views.review_list, name="review_list"),
    path("tac-vu/<uuid:job_id>/", job_views.file_job, name="file_job"),
    path("tac-vu/<uuid:job_id>/trang-thai/", job_views.file_job_status, name="file_job_status"),
    path("tac-vu/<uuid:job_id>/tai-ve/", job_views.file_job_download, name="file_job_download"),
    path("duyet/duyet-tat-ca/", review_views.review_approve_all, name="review_approve_all"),
]
