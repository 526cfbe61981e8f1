# Rankings, completeness and trends (issue 5).
from django.urls import path

from . import ranking_views as views

urlpatterns = [
    path("xep-hang/", views.ranking_page, name="rankings"),
    path("xep-hang/tai-ve.<str:fmt>", views.ranking_export, name="rankings_export"),
    path("tien-do-bao-cao/", views.completeness, name="completeness"),
    path("tien-do-bao-cao/tinh/<int:pk>/duyet/", views.completeness_approve, name="completeness_approve"),
    path("tien-do-bao-cao/tinh/<int:pk>/chua-gui/", views.completeness_unsent, name="completeness_unsent"),
    path("tinh/<int:pk>/xu-huong/", views.province_trends, name="province_trends"),
]
