from django.urls import path

from asxh.reports import views

urlpatterns = [
    path("", views.daily, name="report_daily"),
    path("tien-do.xlsx", views.daily_xlsx, name="report_daily_xlsx"),
    path("bao-phu/", views.coverage, name="report_coverage"),
    path("bao-phu.xlsx", views.coverage_xlsx, name="report_coverage_xlsx"),
]
