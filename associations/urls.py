from django.urls import path

from . import views

urlpatterns = [
    path("hoi/<int:pk>/chuyen-vai-tro/", views.role_carry, name="role_carry"),
]
