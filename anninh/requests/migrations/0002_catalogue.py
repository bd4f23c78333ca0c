from django.db import migrations


def load(apps, schema_editor):
    from anninh.requests.catalogue import SERVICES, TEMPLATES

    Service = apps.get_model("requests", "Service")
    RouteRule = apps.get_model("requests", "RouteRule")
    AnswerTemplate = apps.get_model("requests", "AnswerTemplate")
    Unit = apps.get_model("org", "Unit")
    for order, row in enumerate(SERVICES):
        code, group, name_vi, name_en, desc_vi, desc_en, days, crime, listed, keywords, unit_code = row
        service, _created = Service.objects.update_or_create(
            code=code,
            defaults=dict(
                group=group, name_vi=name_vi, name_en=name_en, description_vi=desc_vi,
                description_en=desc_en, answer_days=days, may_become_crime_report=crime,
                listed=listed, keywords=keywords, order=order,
            ),
        )
        if unit_code:
            unit = Unit.objects.filter(code=unit_code, valid_to__isnull=True).order_by("-valid_from").first()
            if unit is not None:
                RouteRule.objects.get_or_create(service=service, commune=None, defaults={"unit": unit})
    for title, text, service_code in TEMPLATES:
        AnswerTemplate.objects.get_or_create(
            title=title,
            defaults={"text": text, "service": Service.objects.filter(code=service_code).first() if service_code else None},
        )


class Migration(migrations.Migration):
    dependencies = [("requests", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
