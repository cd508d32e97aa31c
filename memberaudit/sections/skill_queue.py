"""Skill queue: the skills a character is training, in queue order.

A paused queue comes without start and finish dates; it is stored as it is.
"""

import datetime as dt

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from .. import app_settings, selectors
from ..models import CharacterSkillqueueEntry
from .base import NavGroup, Section, ViewerTab, registry
from .skills import ensure_skill_types

ENTRY_FIELDS = (
    "queue_position",
    "eve_type_id",
    "finished_level",
    "start_date",
    "finish_date",
    "level_start_sp",
    "level_end_sp",
    "training_start_sp",
)
SP_FIELDS = ("level_start_sp", "level_end_sp", "training_start_sp")


def _as_int(value) -> int | None:
    return None if value is None else int(value)


def _as_datetime(value) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return parse_datetime(str(value))


def fetch(character, gateway) -> list[dict]:
    data = gateway.get("GetCharactersCharacterIdSkillqueue", character_id=character.character_id)
    entries_by_position = {}
    for entry in data or []:
        if entry.get("skill_id") is None or entry.get("queue_position") is None:
            continue
        position = int(entry["queue_position"])
        entries_by_position[position] = {
            "queue_position": position,
            "skill_id": int(entry["skill_id"]),
            "finished_level": int(entry.get("finished_level") or 0),
            "start_date": entry.get("start_date"),
            "finish_date": entry.get("finish_date"),
            **{name: _as_int(entry.get(name)) for name in SP_FIELDS},
        }
    entries = [entries_by_position[position] for position in sorted(entries_by_position)]
    ensure_skill_types((entry["skill_id"] for entry in entries), gateway)
    return entries


def store(character, data) -> bool:
    """Replace the queue when it differs from what is stored."""
    ensure_skill_types(int(entry["skill_id"]) for entry in data)
    new_entries = [
        CharacterSkillqueueEntry(
            character=character,
            queue_position=int(entry["queue_position"]),
            eve_type_id=int(entry["skill_id"]),
            finished_level=int(entry["finished_level"]),
            start_date=_as_datetime(entry.get("start_date")),
            finish_date=_as_datetime(entry.get("finish_date")),
            **{name: _as_int(entry.get(name)) for name in SP_FIELDS},
        )
        for entry in data
    ]
    current = list(
        CharacterSkillqueueEntry.objects.filter(character=character)
        .order_by("queue_position")
        .values_list(*ENTRY_FIELDS)
    )
    wanted = sorted(
        (tuple(getattr(obj, name) for name in ENTRY_FIELDS) for obj in new_entries),
        key=lambda row: row[0],
    )
    if current == wanted:
        return False
    CharacterSkillqueueEntry.objects.filter(character=character).delete()
    CharacterSkillqueueEntry.objects.bulk_create(
        new_entries, batch_size=app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    )
    return True


registry.register(
    Section(
        name="skill_queue",
        stored=("skillqueue",),
        title=_("skill queue"),
        ring=2,
        scopes=("esi-skills.read_skillqueue.v1",),
        operations=("GetCharactersCharacterIdSkillqueue",),
        fetch=fetch,
        store=store,
        tab=ViewerTab(
            group=NavGroup.SKILLS,
            template="memberaudit/tabs/skill_queue.html",
            context=selectors.skill_queue_tab,
        ),
    )
)
