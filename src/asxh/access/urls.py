from django.urls import path

from asxh.access import views

urlpatterns = [
    path("dang-nhap/", views.login_view, name="login"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("", views.home, name="home"),
]
