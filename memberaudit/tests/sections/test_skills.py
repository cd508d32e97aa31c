import copy

import pytest

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from eveuniverse.models import EveType

from memberaudit import esi_gateway, updater
from memberaudit.models import CharacterSkill, CharacterSkillpoints, SectionUpdateStatus
from memberaudit.sections import registry
from memberaudit.sections import skills as skills_section

from ..factories import create_orphan_character
from .helpers import FakeGateway, create_skill_types, forget_cached_esi_answers, writes_to

SKILL_TABLE = CharacterSkill._meta.db_table
POINTS_TABLE = CharacterSkillpoints._meta.db_table


def make_skill(skill_id, level=5, active=None, sp=256000):
    return {
        "skill_id": skill_id,
        "active_skill_level": level if active is None else active,
        "trained_skill_level": level,
        "skillpoints_in_skill": sp,
    }


def make_data(skills, total_sp=None, unallocated_sp=None):
    if total_sp is None:
        total_sp = sum(skill["skillpoints_in_skill"] for skill in skills)
    return {"skills": skills, "total_sp": total_sp, "unallocated_sp": unallocated_sp}


def stored_skills(character) -> dict[int, tuple]:
    return {
        skill.eve_type_id: (
            skill.active_skill_level,
            skill.trained_skill_level,
            skill.skillpoints_in_skill,
        )
        for skill in CharacterSkill.objects.filter(character=character)
    }


@pytest.fixture
def character(db):
    return create_orphan_character()


@pytest.fixture
def skill_ids(db):
    return create_skill_types(10)


def test_should_register_skills_section_in_ring_2_with_its_scope_and_operation():
    section = registry.get("skills")
    assert section.ring == 2
    assert section.scopes == ("esi-skills.read_skills.v1",)
    assert section.operations == ("GetCharactersCharacterIdSkills",)
    assert section.after_store is skills_section.after_store


def test_should_store_all_skills_with_levels_and_skillpoints(character, skill_ids):
    data = make_data([make_skill(skill_ids[0], 5), make_skill(skill_ids[1], 3, active=2, sp=8000)])

    assert skills_section.store(character, data) is True

    assert stored_skills(character) == {
        skill_ids[0]: (5, 5, 256000),
        skill_ids[1]: (2, 3, 8000),
    }


def test_should_keep_injected_but_untrained_skills(character, skill_ids):
    data = make_data([make_skill(skill_ids[0], 0, sp=0), make_skill(skill_ids[1], 1, sp=250)])

    skills_section.store(character, data)

    assert stored_skills(character)[skill_ids[0]] == (0, 0, 0)


def test_should_store_total_and_unallocated_skillpoints(character, skill_ids):
    skills_section.store(
        character, make_data([make_skill(skill_ids[0])], total_sp=5_000_000, unallocated_sp=1234)
    )

    points = CharacterSkillpoints.objects.get(character=character)
    assert (points.total, points.unallocated) == (5_000_000, 1234)


def test_should_store_unallocated_skillpoints_as_null_when_missing(character, skill_ids):
    gateway = FakeGateway(
        {
            "GetCharactersCharacterIdSkills": {
                "skills": [make_skill(skill_ids[0])],
                "total_sp": 256000,
                "unallocated_sp": None,
            }
        }
    )

    skills_section.store(character, skills_section.fetch(character, gateway))

    points = CharacterSkillpoints.objects.get(character=character)
    assert (points.total, points.unallocated) == (256000, None)


def test_should_update_only_the_skill_whose_level_changed(character, skill_ids):
    skills = [make_skill(skill_id, 3, sp=40000) for skill_id in skill_ids]
    skills_section.store(character, make_data(skills))
    pks_before = dict(CharacterSkill.objects.values_list("eve_type_id", "pk"))
    skills[4] = make_skill(skill_ids[4], 4, sp=226275)

    with CaptureQueriesContext(connection) as ctx:
        changed = skills_section.store(character, make_data(skills))

    assert changed is True
    skill_writes = writes_to(ctx.captured_queries, SKILL_TABLE)
    assert len(skill_writes) == 1 and skill_writes[0].lstrip().upper().startswith("UPDATE")
    assert str(pks_before[skill_ids[4]]) in skill_writes[0]
    assert stored_skills(character)[skill_ids[4]] == (4, 4, 226275)
    assert dict(CharacterSkill.objects.values_list("eve_type_id", "pk")) == pks_before


def test_should_delete_a_removed_skill_and_keep_the_others(character, skill_ids):
    skills = [make_skill(skill_id) for skill_id in skill_ids]
    skills_section.store(character, make_data(skills))

    with CaptureQueriesContext(connection) as ctx:
        skills_section.store(character, make_data(skills[1:]))

    assert set(stored_skills(character)) == set(skill_ids[1:])
    skill_writes = writes_to(ctx.captured_queries, SKILL_TABLE)
    assert len(skill_writes) == 1 and skill_writes[0].lstrip().upper().startswith("DELETE")


def test_should_create_only_a_new_skill(character, skill_ids):
    skills_section.store(character, make_data([make_skill(skill_id) for skill_id in skill_ids[:5]]))

    with CaptureQueriesContext(connection) as ctx:
        skills_section.store(
            character, make_data([make_skill(skill_id) for skill_id in skill_ids[:6]])
        )

    skill_writes = writes_to(ctx.captured_queries, SKILL_TABLE)
    assert len(skill_writes) == 1 and skill_writes[0].lstrip().upper().startswith("INSERT")
    assert set(stored_skills(character)) == set(skill_ids[:6])


def test_should_write_nothing_when_stored_data_is_unchanged(character, skill_ids):
    data = make_data([make_skill(skill_id) for skill_id in skill_ids], unallocated_sp=500)
    skills_section.store(character, data)

    with CaptureQueriesContext(connection) as ctx:
        changed = skills_section.store(character, data)

    assert changed is False
    assert writes_to(ctx.captured_queries, SKILL_TABLE) == []
    assert writes_to(ctx.captured_queries, POINTS_TABLE) == []


def test_should_update_skillpoints_without_touching_skills(character, skill_ids):
    skills = [make_skill(skill_id) for skill_id in skill_ids]
    skills_section.store(character, make_data(skills, total_sp=100, unallocated_sp=None))

    with CaptureQueriesContext(connection) as ctx:
        changed = skills_section.store(character, make_data(skills, total_sp=100, unallocated_sp=7))

    assert changed is True
    assert writes_to(ctx.captured_queries, SKILL_TABLE) == []
    assert CharacterSkillpoints.objects.get(character=character).unallocated == 7


def test_should_keep_skills_of_other_characters(character, skill_ids):
    other = create_orphan_character(character_id=90000002)
    skills_section.store(other, make_data([make_skill(skill_ids[0])]))

    skills_section.store(character, make_data([make_skill(skill_ids[1])]))

    assert set(stored_skills(other)) == {skill_ids[0]}


def _store_queries(character, skills) -> int:
    with CaptureQueriesContext(connection) as ctx:
        skills_section.store(character, make_data(skills))
    return len(ctx.captured_queries)


@pytest.fixture
def no_backend_batch_limit(monkeypatch):
    """Lift SQLite's 999-parameter cap, which makes Django split bulk statements by itself."""
    monkeypatch.setattr(connection.ops, "bulk_batch_size", lambda fields, objs: len(objs))


@pytest.mark.parametrize("change", ["create", "update", "delete"])
def test_should_use_the_same_number_of_queries_for_10_and_300_skills(
    db, change, settings, no_backend_batch_limit
):
    settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE = 500
    counts = []
    for number, character_id in ((10, 90000010), (300, 90000011)):
        character = create_orphan_character(character_id=character_id)
        skill_ids = create_skill_types(number)
        skills = [make_skill(skill_id, 3) for skill_id in skill_ids]
        if change == "create":
            counts.append(_store_queries(character, skills))
            continue
        skills_section.store(character, make_data(skills))
        if change == "update":
            skills = [make_skill(skill_id, 4) for skill_id in skill_ids]
        else:
            skills = skills[: number // 2]
        counts.append(_store_queries(character, skills))

    assert counts[0] == counts[1]


def test_should_write_new_skills_in_batches_of_the_configured_size(
    character, settings, no_backend_batch_limit
):
    settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE = 100
    skill_ids = create_skill_types(250)

    with CaptureQueriesContext(connection) as ctx:
        skills_section.store(character, make_data([make_skill(skill_id) for skill_id in skill_ids]))

    assert len(writes_to(ctx.captured_queries, SKILL_TABLE)) == 3
    assert CharacterSkill.objects.filter(character=character).count() == 250


def test_should_fetch_skills_sorted_without_duplicates_and_with_missing_values_as_zero(
    character, skill_ids
):
    gateway = FakeGateway(
        {
            "GetCharactersCharacterIdSkills": {
                "skills": [
                    make_skill(skill_ids[2], 2),
                    make_skill(skill_ids[0], 1),
                    make_skill(skill_ids[2], 3),
                    {
                        "skill_id": skill_ids[1],
                        "active_skill_level": None,
                        "trained_skill_level": 0,
                        "skillpoints_in_skill": None,
                    },
                    {"skill_id": None, "active_skill_level": 1},
                ],
                "total_sp": 12345,
                "unallocated_sp": 0,
            }
        }
    )

    data = skills_section.fetch(character, gateway)

    assert [skill["skill_id"] for skill in data["skills"]] == skill_ids[:3]
    assert data["skills"][1] == make_skill(skill_ids[1], 0, sp=0)
    assert data["skills"][2]["trained_skill_level"] == 3
    assert (data["total_sp"], data["unallocated_sp"]) == (12345, 0)
    assert gateway.calls == [
        ("GetCharactersCharacterIdSkills", {"character_id": character.character_id})
    ]


def test_should_derive_total_skillpoints_when_esi_omits_them(character, skill_ids):
    gateway = FakeGateway(
        {
            "GetCharactersCharacterIdSkills": {
                "skills": [make_skill(skill_ids[0], sp=100), make_skill(skill_ids[1], sp=200)],
                "total_sp": None,
                "unallocated_sp": None,
            }
        }
    )

    assert skills_section.fetch(character, gateway)["total_sp"] == 300


# --- against the fake EVE server, through the update engine ---

ARIA = 90000001  # 10 skills, unallocated SP
BRUNO = 90000002  # no unallocated SP
SKILLS_ROUTE = "GetCharactersCharacterIdSkills"


def skill_writes(queries) -> list[str]:
    return writes_to(queries, SKILL_TABLE) + writes_to(queries, POINTS_TABLE)


def update_status(character) -> SectionUpdateStatus:
    return SectionUpdateStatus.objects.get(character=character, section="skills")


@pytest.mark.integration
class TestSkillsAgainstFakeEsi:
    def test_should_store_skills_and_skillpoints_on_first_update(self, make_character, fake_eve):
        character = make_character(ARIA)
        scenario = fake_eve.scenario.character(ARIA)

        outcome = updater.update_section(character, "skills")

        assert outcome.is_success, outcome.message
        assert outcome.changed
        assert stored_skills(character) == {
            skill["skill_id"]: (
                skill["active_skill_level"],
                skill["trained_skill_level"],
                skill["skillpoints_in_skill"],
            )
            for skill in scenario["skills"]
        }
        points = character.skillpoints
        assert (points.total, points.unallocated) == (scenario["total_sp"], 125000)
        assert EveType.objects.get(id=3300).name == "Gunnery"

    def test_should_store_unallocated_skillpoints_as_null_when_esi_omits_them(self, make_character):
        character = make_character(BRUNO)

        updater.update_section(character, "skills")

        assert character.skillpoints.unallocated is None

    def test_should_store_null_when_esi_drops_unallocated_skillpoints(
        self, make_character, fake_eve
    ):
        character = make_character(ARIA)
        fake_eve.faults.add(SKILLS_ROUTE, character_id=ARIA, drop_fields=["unallocated_sp"])

        outcome = updater.update_section(character, "skills")

        assert outcome.is_success, outcome.message
        assert character.skillpoints.unallocated is None

    def test_should_keep_injected_skill_at_level_0(self, make_character, fake_eve):
        injected = {
            "skill_id": 3302,
            "active_skill_level": 0,
            "trained_skill_level": 0,
            "skillpoints_in_skill": 0,
        }
        skills = fake_eve.scenario.character(ARIA)["skills"] + [injected]
        fake_eve.scenario.update_character(ARIA, {"skills": skills})
        character = make_character(ARIA)

        updater.update_section(character, "skills")

        assert stored_skills(character)[3302] == (0, 0, 0)

    def test_should_write_nothing_when_esi_says_not_modified(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "skills")
        cache.delete_pattern("esi_*")  # the answer expired, the ETag is still known

        with CaptureQueriesContext(connection) as ctx:
            outcome = updater.update_section(character, "skills")

        assert outcome.is_success and not outcome.changed
        assert skill_writes(ctx.captured_queries) == []
        assert fake_eve.log.count(route=SKILLS_ROUTE, status=304) == 1

    def test_should_write_nothing_on_a_forced_update_with_unchanged_data(self, make_character):
        character = make_character(ARIA)
        updater.update_section(character, "skills")

        with CaptureQueriesContext(connection) as ctx:
            outcome = updater.update_section(character, "skills", force=True)

        assert outcome.is_success, outcome.message
        assert skill_writes(ctx.captured_queries) == []

    def test_should_update_only_the_changed_skill(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "skills")
        pks_before = dict(character.skills.values_list("eve_type_id", "pk"))
        skills = copy.deepcopy(fake_eve.scenario.character(ARIA)["skills"])
        changed = next(skill for skill in skills if skill["skill_id"] == 3450)
        changed.update(active_skill_level=3, trained_skill_level=3, skillpoints_in_skill=8000)
        fake_eve.scenario.update_character(ARIA, {"skills": skills, "total_sp": 9_000_000})
        forget_cached_esi_answers()

        with CaptureQueriesContext(connection) as ctx:
            outcome = updater.update_section(character, "skills")

        assert outcome.is_success and outcome.changed
        writes = writes_to(ctx.captured_queries, SKILL_TABLE)
        assert len(writes) == 1 and writes[0].lstrip().upper().startswith("UPDATE")
        assert stored_skills(character)[3450] == (3, 3, 8000)
        assert dict(character.skills.values_list("eve_type_id", "pk")) == pks_before
        assert CharacterSkillpoints.objects.get(character=character).total == 9_000_000

    def test_should_delete_a_skill_esi_no_longer_lists(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "skills")
        skills = [s for s in fake_eve.scenario.character(ARIA)["skills"] if s["skill_id"] != 3300]
        fake_eve.scenario.update_character(ARIA, {"skills": skills})
        forget_cached_esi_answers()

        updater.update_section(character, "skills")

        assert 3300 not in stored_skills(character)
        assert len(stored_skills(character)) == len(skills)

    @pytest.mark.parametrize(
        "fault, message",
        [
            ({"status": 500}, "ESI answered 500"),
            ({"status": 502}, "ESI answered 502"),
            ({"malformed": True}, "unusable answer"),
        ],
    )
    def test_should_keep_stored_skills_when_esi_fails(
        self, make_character, fake_eve, fast_retries, fault, message
    ):
        character = make_character(ARIA)
        updater.update_section(character, "skills")
        before = stored_skills(character)
        fake_eve.scenario.update_character(ARIA, {"skills": [], "total_sp": 0})
        forget_cached_esi_answers()
        fake_eve.faults.add(SKILLS_ROUTE, character_id=ARIA, **fault)

        outcome = updater.update_section(character, "skills")

        assert not outcome.is_success
        status = update_status(character)
        assert status.is_success is False
        assert message in status.error_message
        assert stored_skills(character) == before
        assert character.skillpoints.total != 0

    def test_should_keep_stored_skills_when_esi_times_out(
        self, make_character, fake_eve, monkeypatch
    ):
        from esi import app_settings as esi_settings

        character = make_character(ARIA)
        updater.update_section(character, "skills")
        before = stored_skills(character)
        forget_cached_esi_answers()
        monkeypatch.setattr(esi_settings, "ESI_REQUESTS_READ_TIMEOUT", 0.5)
        monkeypatch.setattr(esi_settings, "ESI_SERVER_ERROR_MAX_RETRIES", 1)
        esi_gateway.provider()._client = None  # rebuild the client with the short timeout
        fake_eve.faults.add(SKILLS_ROUTE, character_id=ARIA, latency=2.0)
        try:
            outcome = updater.update_section(character, "skills")
        finally:
            esi_gateway.provider()._client = None

        assert not outcome.is_success
        assert "did not answer" in update_status(character).error_message
        assert stored_skills(character) == before

    def test_should_fail_readably_when_a_skill_type_cannot_be_loaded(
        self, make_character, fake_eve, fast_retries
    ):
        character = make_character(ARIA)
        updater.update_section(character, "skills")
        before = stored_skills(character)
        skills = fake_eve.scenario.character(ARIA)["skills"] + [
            {
                "skill_id": 3413,
                "active_skill_level": 1,
                "trained_skill_level": 1,
                "skillpoints_in_skill": 250,
            }
        ]
        fake_eve.scenario.update_character(ARIA, {"skills": skills})
        forget_cached_esi_answers()
        fake_eve.faults.add("GetUniverseTypesTypeId", status=503)

        outcome = updater.update_section(character, "skills")

        assert not outcome.is_success
        assert "Could not load skill types" in update_status(character).error_message
        assert stored_skills(character) == before

    def test_should_need_the_same_number_of_queries_for_10_and_200_skills(
        self, make_character, fake_eve, no_backend_batch_limit
    ):
        type_ids = create_skill_types(200)
        character = make_character(ARIA)
        updater.update_section(character, "skills")  # status row, token and types in place
        counts = []
        for size in (10, 200):
            skills = [make_skill(type_id, 2, sp=1415) for type_id in type_ids[:size]]
            fake_eve.scenario.update_character(ARIA, {"skills": skills})
            character.skills.all().delete()
            forget_cached_esi_answers()
            with CaptureQueriesContext(connection) as ctx:
                outcome = updater.update_section(character, "skills")
            assert outcome.is_success, outcome.message
            assert character.skills.count() == size
            counts.append(len(ctx.captured_queries))

        assert counts[0] == counts[1]
