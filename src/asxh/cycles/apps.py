from django.apps import AppConfig


class CyclesConfig(AppConfig):
    name = "asxh.cycles"
    verbose_name = "Kỳ chi trả"
