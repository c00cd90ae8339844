from django.urls import path

from asxh.reports import views

urlpatterns = [
    path("", views.daily, name="report_daily"),
    path("tien-do.xlsx", views.daily_xlsx, name="report_daily_xlsx"),
]
