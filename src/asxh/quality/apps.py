from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "asxh.quality"
    verbose_name = "Làm sạch dữ liệu"
