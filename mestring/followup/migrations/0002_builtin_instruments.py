"""Two feedback instruments written for mestring (no licensed item texts): session feedback and quality of life."""

from django.db import migrations

from mestring.followup.instruments import INSTRUMENTS


def create(apps, schema_editor):
    Instrument = apps.get_model("followup", "Instrument")
    InstrumentItem = apps.get_model("followup", "InstrumentItem")
    for spec in INSTRUMENTS:
        spec = dict(spec)
        items = spec.pop("items")
        instrument, created = Instrument.objects.get_or_create(slug=spec["slug"], defaults=spec)
        if created:
            for order, text in enumerate(items, start=1):
                InstrumentItem.objects.create(instrument=instrument, order=order, text=text)


def remove(apps, schema_editor):
    Instrument = apps.get_model("followup", "Instrument")
    Instrument.objects.filter(slug__in=[s["slug"] for s in INSTRUMENTS], scores__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("followup", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
