from django.apps import AppConfig


class SyntheticConfig(AppConfig):
    name = "asxh.synthetic"
    verbose_name = "Dữ liệu mô phỏng"
