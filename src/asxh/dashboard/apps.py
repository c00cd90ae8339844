from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "asxh.dashboard"
    verbose_name = "Tổng quan và báo cáo tháng"
