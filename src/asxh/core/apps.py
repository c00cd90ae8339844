from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "asxh.core"
    verbose_name = "Dùng chung"
