from django.db import migrations

BUILTIN = {
    "fylke": "Fylke",
    "helseregion": "Helseregion",
    "kostragruppe": "KOSTRA-gruppe",
    "befolkningsklasse": "Befolkningsklasse",
}


def create_builtin(apps, schema_editor):
    GroupSet = apps.get_model("organisations", "GroupSet")
    for slug, name in BUILTIN.items():
        GroupSet.objects.get_or_create(slug=slug, defaults={"name": name, "is_builtin": True})


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]
    operations = [migrations.RunPython(create_builtin, migrations.RunPython.noop)]
