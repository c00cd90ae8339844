from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "asxh.reports"
    verbose_name = "Báo cáo"
