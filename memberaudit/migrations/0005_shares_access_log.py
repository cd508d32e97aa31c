import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def shares_from_flags(apps, schema_editor):
    """Characters shared before shares could name recruiters or end stay shared as before:
    with all recruiters, until revoked, shared by their owner of now."""
    Character = apps.get_model("memberaudit", "Character")
    CharacterShare = apps.get_model("memberaudit", "CharacterShare")
    shared = Character.objects.filter(is_shared=True).values_list(
        "pk", "eve_character__character_ownership__user_id"
    )
    CharacterShare.objects.bulk_create(
        [
            CharacterShare(character_id=pk, shared_by_id=owner_pk)
            for pk, owner_pk in shared.iterator()
        ],
        batch_size=500,
    )


def flags_from_shares(apps, schema_editor):
    """Going back: a character with any unexpired share is shared (with all recruiters)."""
    from django.db.models import Q
    from django.utils import timezone

    Character = apps.get_model("memberaudit", "Character")
    CharacterShare = apps.get_model("memberaudit", "CharacterShare")
    unexpired = CharacterShare.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    )
    Character.objects.filter(pk__in=unexpired.values("character")).update(is_shared=True)


class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('memberaudit', '0004_character_sheet'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='general',
            options={'default_permissions': (), 'managed': False, 'permissions': (('basic_access', 'Can access this app and register and view own characters'), ('share_characters', 'Can share his/her characters'), ('finder_access', 'Can access character finder feature'), ('reports_access', 'Can access reports feature'), ('characters_access', 'Can view characters owned by others'), ('view_shared_characters', 'Can view shared characters'), ('view_same_corporation', 'Can view corporation characters'), ('view_same_alliance', 'Can view alliance characters'), ('view_everything', 'Can view all characters'), ('view_access_log', 'Can view who opened which character')), 'verbose_name': 'general'},
        ),
        migrations.CreateModel(
            name='AccessLogEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('section', models.CharField(help_text='What was opened: the viewer page, a section, a report', max_length=64)),
                ('reason', models.CharField(choices=[('share', 'share'), ('corporation', 'corporation scope'), ('alliance', 'alliance scope'), ('everything', 'everything'), ('superuser', 'superuser')], max_length=16)),
                ('hour', models.DateTimeField(help_text='The hour of the first view in this row')),
                ('viewed_at', models.DateTimeField(db_index=True)),
                ('character', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='access_log_entries', to='memberaudit.character')),
                ('viewer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'access log entry',
                'verbose_name_plural': 'access log entries',
                'default_permissions': (),
                'indexes': [models.Index(fields=['character', 'reason', 'viewed_at'], name='memberaudit_charact_3f0637_idx')],
                'constraints': [models.UniqueConstraint(fields=('viewer', 'character', 'section', 'hour'), name='memberaudit_access_log_once_an_hour')],
            },
        ),
        migrations.CreateModel(
            name='CharacterShare',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('expires_at', models.DateTimeField(blank=True, db_index=True, help_text='Empty: until revoked', null=True)),
                ('character', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='shares', to='memberaudit.character')),
                ('group', models.ForeignKey(blank=True, help_text='The group this share is for; empty with no user: all recruiters', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='auth.group')),
                ('shared_by', models.ForeignKey(help_text='The owner who shared; the share opens nothing once someone else owns it', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user', models.ForeignKey(blank=True, help_text='The recruiter this share is for; empty with no group: all recruiters', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'character share',
                'verbose_name_plural': 'character shares',
                'default_permissions': (),
                'constraints': [models.CheckConstraint(condition=models.Q(('group__isnull', False), ('user__isnull', False), _negated=True), name='memberaudit_share_user_or_group')],
            },
        ),
        migrations.RunPython(shares_from_flags, flags_from_shares, elidable=True),
        migrations.RemoveField(
            model_name='character',
            name='is_shared',
        ),
]
