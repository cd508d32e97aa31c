import django.db.models.deletion
from django.db import migrations, models

BATCH_SIZE = 1000


def fill_places(apps, schema_editor):
    """Give stored items their place: top-level items their location, then each level of
    nested items the place of their parent, until no level is left."""
    CharacterAsset = apps.get_model("memberaudit", "CharacterAsset")  # noqa: N806
    CharacterAsset.objects.filter(parent__isnull=True).update(place_id=models.F("location_id"))
    while True:
        rows = list(
            CharacterAsset.objects.filter(
                place__isnull=True, parent__place__isnull=False
            ).values_list("pk", "parent__place_id")
        )
        if not rows:
            return
        by_place: dict[int, list[int]] = {}
        for pk, place_id in rows:
            by_place.setdefault(place_id, []).append(pk)
        for place_id, pks in by_place.items():
            for start in range(0, len(pks), BATCH_SIZE):
                CharacterAsset.objects.filter(pk__in=pks[start : start + BATCH_SIZE]).update(
                    place_id=place_id
                )


class Migration(migrations.Migration):
    dependencies = [
        ("eveuniverse", "0012_alter_evebloodline_eve_ship_type"),
        ("memberaudit", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="characterasset",
            name="place",
            field=models.ForeignKey(
                blank=True,
                default=None,
                help_text=(
                    "The station, structure or solar system the item is at, also when it is "
                    "inside other items"
                ),
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="memberaudit.location",
                verbose_name="place",
            ),
        ),
        migrations.AddIndex(
            model_name="characterasset",
            index=models.Index(fields=["character", "place"], name="memberaudit_asset_place"),
        ),
        migrations.RunPython(fill_places, migrations.RunPython.noop),
    ]
