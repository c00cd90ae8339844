"""The default template: the transfer notice, in Vietnamese with accents and without."""

from django.db import migrations

CODE = "chuyen_tien"
NAME = "Báo tiền trợ cấp đã chuyển vào tài khoản"
BODY_VI = (
    "{ten}: tiền trợ cấp tháng {thang} là {so_tien}, đã được {to_chuc} chuyển vào tài khoản "
    "có số cuối {so_tk_cuoi}. Thắc mắc xin liên hệ {lien_he}."
)
BODY_ASCII = (
    "{ten}: tro cap thang {thang} la {so_tien}, {to_chuc} da chuyen vao TK cuoi "
    "{so_tk_cuoi}. Thac mac LH {lien_he}."
)


def create(apps, schema_editor):
    template_model = apps.get_model("notifications", "SmsTemplate")
    version_model = apps.get_model("notifications", "SmsTemplateVersion")
    if template_model.objects.filter(code=CODE).exists():
        return
    template = template_model.objects.create(
        code=CODE, name=NAME, body_vi=BODY_VI, body_ascii=BODY_ASCII, active=True
    )
    version_model.objects.create(
        template=template,
        version=1,
        name=NAME,
        body_vi=BODY_VI,
        body_ascii=BODY_ASCII,
        active=True,
        reason="Mẫu mặc định kèm theo asxh",
    )


def remove(apps, schema_editor):
    template_model = apps.get_model("notifications", "SmsTemplate")
    version_model = apps.get_model("notifications", "SmsTemplateVersion")
    version_model.objects.filter(template__code=CODE).delete()
    template_model.objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
