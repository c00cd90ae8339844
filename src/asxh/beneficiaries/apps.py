from django.apps import AppConfig


class BeneficiariesConfig(AppConfig):
    name = "asxh.beneficiaries"
    verbose_name = "Đối tượng hưởng"
