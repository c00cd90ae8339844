from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "asxh.changes"
    verbose_name = "Biến động (tăng, giảm, điều chỉnh)"
