from django.urls import path

from asxh.reports import views

urlpatterns = [
    path("", views.daily, name="report_daily"),
    path("dem-lai/", views.daily_recount, name="report_daily_recount"),
    path("tien-do.xlsx", views.daily_xlsx, name="report_daily_xlsx"),
    path("bao-phu/", views.coverage, name="report_coverage"),
    path("bao-phu.xlsx", views.coverage_xlsx, name="report_coverage_xlsx"),
    path("du-toan/", views.budget, name="report_budget"),
    path("du-toan/tinh/", views.budget_compute, name="report_budget_compute"),
    path("du-toan.xlsx", views.budget_xlsx, name="report_budget_xlsx"),
]
