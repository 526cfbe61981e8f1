from django.db import migrations, models


class Migration(migrations.Migration):
    """The single data version becomes one per year; the existing row (pk 1) is year 0's."""

    dependencies = [
        ("associations", "0004_data_version"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="dataversion", name="data_version_single_row"),
        migrations.AddField(
            model_name="dataversion",
            name="year",
            field=models.PositiveSmallIntegerField(default=0, unique=True),
        ),
    ]
