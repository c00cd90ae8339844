from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "asxh.intake"
    verbose_name = "Nhập liệu và xuất danh sách"
