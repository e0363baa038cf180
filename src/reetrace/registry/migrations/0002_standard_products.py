"""Load the standard product catalogue; later edits to the catalogue get new migrations."""

from django.db import migrations

from reetrace.registry.catalogue import STANDARD_PRODUCTS


def load(apps, schema_editor):
    Product = apps.get_model("registry", "Product")
    for code, form, hs_code, description in STANDARD_PRODUCTS:
        Product.objects.update_or_create(
            code=code, defaults={"form": str(form), "hs_code": hs_code, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
