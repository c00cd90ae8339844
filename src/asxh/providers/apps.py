from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "asxh.providers"
    verbose_name = "Tổ chức dịch vụ chi trả"
