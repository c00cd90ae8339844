from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "asxh.units"
    verbose_name = "Đơn vị hành chính"
