from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("hoi/<int:pk>/", views.association_detail, name="association_detail"),
]
