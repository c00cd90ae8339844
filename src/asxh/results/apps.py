from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "asxh.results"
    verbose_name = "Kết quả chi trả và quyết toán"
