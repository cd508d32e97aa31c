"""The skill search: characters the viewer may find that have every skill asked for."""

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allianceauth.tests.auth_utils import AuthUtils

from memberaudit import access, access_log, skill_search
from memberaudit.models import AccessLogEntry, Character, CharacterSkill, CharacterSkillpoints
from memberaudit.query_params import InvalidParameter, skill_levels

from ..factories import (
    create_character,
    create_orphan_character,
    create_user_with_main,
    share_with_all_recruiters,
)
from ..sections.helpers import create_skill_types

pytestmark = pytest.mark.django_db

FINDER = "memberaudit.finder_access"
EVERYTHING = (FINDER, "memberaudit.characters_access", "memberaudit.view_everything")
CYNO, JUMP_DRIVE, SCIENCE = 900_001, 900_002, 900_003


def user_with_main(*permissions, **main_fields):
    user = create_user_with_main(**main_fields)
    AuthUtils.add_permissions_to_user_by_name(list(permissions), user)
    return User.objects.get(pk=user.pk)


def give_skills(character, skills: dict[int, int], total: int = 5_000_000):
    CharacterSkill.objects.bulk_create(
        [
            CharacterSkill(
                character=character,
                eve_type_id=skill_id,
                active_skill_level=level,
                trained_skill_level=level,
                skillpoints_in_skill=1000 * level,
            )
            for skill_id, level in skills.items()
        ]
    )
    CharacterSkillpoints.objects.create(character=character, total=total)
    return character


def search(client, **params):
    response = client.get(reverse("memberaudit:skill_search_data"), {"length": 500, **params})
    assert response.status_code == 200, response.content
    return response.json()


def found(client, **params) -> set[int]:
    return {row["character_id"] for row in search(client, **params)["data"]}


@pytest.fixture
def world():
    """Pilots with different skills in two alliances; one shared, one an orphan."""
    create_skill_types(5, first_id=CYNO)
    alpha = {"alliance_id": 99_000_001, "alliance_name": "Alpha Alliance"}
    beta = {"alliance_id": 99_000_002, "alliance_name": "Beta Alliance"}
    sharer = user_with_main("memberaudit.share_characters", corporation_id=98_000_010, **alpha)
    other = user_with_main(corporation_id=98_000_011, **beta)
    characters = {
        "cyno_jump": create_character(user=sharer, corporation_id=98_000_010, **alpha),
        "cyno_only": create_character(user=sharer, corporation_id=98_000_010, **alpha),
        "cyno_jump_beta": create_character(user=other, corporation_id=98_000_011, **beta),
        "jump_low": create_character(user=other, corporation_id=98_000_011, **beta),
        "orphan": create_orphan_character(),
    }
    give_skills(characters["cyno_jump"], {CYNO: 5, JUMP_DRIVE: 4}, total=30_000_000)
    give_skills(characters["cyno_only"], {CYNO: 5, SCIENCE: 5}, total=25_000_000)
    give_skills(characters["cyno_jump_beta"], {CYNO: 5, JUMP_DRIVE: 5}, total=10_000_000)
    give_skills(characters["jump_low"], {CYNO: 4, JUMP_DRIVE: 3, SCIENCE: 0})
    give_skills(characters["orphan"], {CYNO: 5, JUMP_DRIVE: 5}, total=50_000_000)
    share_with_all_recruiters(characters["cyno_jump"])
    return {name: character.character_id for name, character in characters.items()}


class TestSkillSearch:
    def test_should_find_characters_with_every_skill_at_its_level_or_higher(self, world, client):
        client.force_login(user_with_main(*EVERYTHING))

        assert found(client, skills=f"{CYNO}:5,{JUMP_DRIVE}:4") == {
            world["cyno_jump"],
            world["cyno_jump_beta"],
            world["orphan"],
        }
        assert found(client, skills=f"{JUMP_DRIVE}:5") == {
            world["cyno_jump_beta"],
            world["orphan"],
        }

    def test_should_find_injected_skills_with_level_zero(self, world, client):
        client.force_login(user_with_main(*EVERYTHING))

        assert found(client, skills=f"{SCIENCE}:0") == {world["cyno_only"], world["jump_low"]}

    def test_should_narrow_by_total_skill_points_corporation_and_alliance(self, world, client):
        client.force_login(user_with_main(*EVERYTHING))
        cyno = f"{CYNO}:5"

        assert found(client, skills=cyno, min_skillpoints=20_000_000) == {
            world["cyno_jump"],
            world["cyno_only"],
            world["orphan"],
        }
        assert found(client, skills=cyno, corporation=98_000_011) == {world["cyno_jump_beta"]}
        assert found(client, skills=cyno, alliance=99_000_001) == {
            world["cyno_jump"],
            world["cyno_only"],
        }

    def test_should_find_by_skill_points_alone(self, world, client):
        client.force_login(user_with_main(*EVERYTHING))

        assert found(client, min_skillpoints=40_000_000) == {world["orphan"]}

    def test_should_find_nothing_without_any_condition(self, world, client):
        client.force_login(user_with_main(*EVERYTHING))

        answer = search(client)

        assert answer["data"] == []
        assert answer["recordsTotal"] == 0

    @pytest.mark.parametrize("column", range(7))
    def test_should_search_and_sort_an_empty_search_by_any_column(self, world, column, client):
        """Without conditions there are no rows, yet the table's own search and sort on every
        column (the owner's main is an annotation) still answer."""
        client.force_login(user_with_main(*EVERYTHING))

        answer = search(client, **{"search[value]": "x", "order[0][column]": column})

        assert answer["data"] == []
        assert answer["recordsFiltered"] == 0

    @pytest.mark.parametrize(
        "permissions",
        [
            (FINDER, "memberaudit.view_shared_characters"),
            (FINDER, "memberaudit.characters_access", "memberaudit.view_same_alliance"),
            EVERYTHING,
        ],
    )
    def test_should_find_only_characters_the_viewer_may_open(self, permissions, world, client):
        viewer = user_with_main(*permissions, alliance_id=99_000_001, alliance_name="Alpha")
        client.force_login(viewer)

        listed = found(client, skills=f"{CYNO}:4")

        openable = {c.character_id for c in access.finder_characters(viewer)}
        assert listed
        assert listed <= openable
        everyone_with_cyno = {world[name] for name in world}
        assert listed == everyone_with_cyno & openable

    def test_should_show_main_corporation_alliance_and_skill_points(self, world, client):
        client.force_login(user_with_main(*EVERYTHING))

        rows = search(client, skills=f"{JUMP_DRIVE}:4", alliance=99_000_001)["data"]

        assert len(rows) == 1
        row = rows[0]
        assert row["character_id"] == world["cyno_jump"]
        assert row["main"].startswith("Pilot ")
        assert row["corporation"] == "Demo Corp"
        assert row["alliance"] == "Alpha Alliance"
        assert row["total_skillpoints"] == 30_000_000
        assert client.get(row["url"]).status_code == 200

    def test_should_sort_by_total_skill_points(self, world, client):
        client.force_login(user_with_main(*EVERYTHING))

        rows = search(
            client,
            skills=f"{CYNO}:5",
            **{"order[0][column]": "4", "order[0][dir]": "desc"},
            **{"columns[4][data]": "total_skillpoints"},
        )["data"]

        points = [row["total_skillpoints"] for row in rows]
        assert points == sorted(points, reverse=True)
        assert points[0] == 50_000_000

    @pytest.mark.parametrize("small_division", [2000, 1])
    def test_should_answer_a_page_in_at_most_four_queries_however_many_match(
        self, small_division, world, client, monkeypatch
    ):
        # few matches go to the page's queries as ids, many as the division's subquery
        monkeypatch.setattr(skill_search, "SMALL_DIVISION", small_division)
        viewer = user_with_main(*EVERYTHING)
        conditions = skill_levels({"skills": f"{CYNO}:5,{JUMP_DRIVE}:4"}, "skills")
        skill_search.matching_characters(viewer, skill_search.SkillSearch(conditions))  # perms

        with CaptureQueriesContext(connection) as queries:
            rows = skill_search.matching_characters(viewer, skill_search.SkillSearch(conditions))
            page = skill_search.results_table(rows).page({"length": "50"})

        assert {row["character_id"]: row["total_skillpoints"] for row in page["data"]} == {
            world["cyno_jump"]: 30_000_000,
            world["cyno_jump_beta"]: 10_000_000,
            world["orphan"]: 50_000_000,
        }
        names = [row["name"] for row in page["data"]]
        assert names == sorted(names)
        assert page["recordsTotal"] == 3
        # the division's ids (not on SQLite: see the next test), the page's keys with the
        # count, and its rows
        assert len(queries) == (2 if connection.vendor == "sqlite" else 3)

    def test_should_look_up_only_the_characters_both_in_scope_and_found(self, world, client):
        """A viewer with a scope: on MariaDB the division's keys are read first and checked
        against the viewer's rules, and the page's queries get the keys in both (one short
        list); SQLite gets both as subqueries. The page's rows come with the rights that open
        them."""
        viewer = user_with_main(
            FINDER,
            "memberaudit.characters_access",
            "memberaudit.view_same_alliance",
            alliance_id=99_000_001,
            alliance_name="Alpha",
        )
        conditions = skill_levels({"skills": f"{CYNO}:4"}, "skills")
        skill_search.matching_characters(viewer, skill_search.SkillSearch(conditions))  # perms

        with CaptureQueriesContext(connection) as queries:
            rows = skill_search.matching_characters(viewer, skill_search.SkillSearch(conditions))
            page = skill_search.results_table(rows, viewer=viewer).page({"length": "50"})

        openable = {c.character_id for c in access.finder_characters(viewer)}
        listed = {row["character_id"] for row in page["data"]}
        assert listed
        assert listed == {world[name] for name in world} & openable
        # the division's keys and those of them in scope (not on SQLite), the page's keys with
        # the count, its rows
        assert len(queries) == (2 if connection.vendor == "sqlite" else 4)
        if connection.vendor != "sqlite":  # the keys in both, as one list
            keys = next(query["sql"] for query in queries if "COUNT(*)" in query["sql"])
            assert keys.count(" IN (") == keys.count("COUNT(*)") + 1
        in_page = {"eve_character__character_id__in": listed}
        loaded = skill_search.result_rows(viewer).filter(**in_page)
        expected = access.accessible_characters_with_reasons(viewer).filter(**in_page)
        assert {c.pk: c.access_reason for c in loaded} == {c.pk: c.access_reason for c in expected}

    @pytest.mark.parametrize("small_division, checked_division", [(2000, 500), (2000, 1), (1, 1)])
    def test_should_read_the_whole_scope_only_for_a_large_division(
        self, small_division, checked_division, world, client, monkeypatch
    ):
        """On MariaDB the characters of a small division are checked against the viewer's
        rules, at the cost of how many they are; the keys of the whole scope are read for
        a larger division (and always on SQLite)."""
        monkeypatch.setattr(skill_search, "SMALL_DIVISION", small_division)
        monkeypatch.setattr(access, "CHECKED_CHARACTERS", checked_division)
        viewer = user_with_main(
            FINDER,
            "memberaudit.characters_access",
            "memberaudit.view_same_alliance",
            alliance_id=99_000_001,
            alliance_name="Alpha",
        )
        openable = {c.character_id for c in access.finder_characters(viewer)}
        whole_scope = []
        finder_character_keys = access.finder_character_keys
        monkeypatch.setattr(
            access,
            "finder_character_keys",
            lambda user: whole_scope.append(user) or finder_character_keys(user),
        )
        conditions = skill_levels({"skills": f"{CYNO}:4"}, "skills")

        rows = skill_search.matching_characters(viewer, skill_search.SkillSearch(conditions))
        page = skill_search.results_table(rows).page({"length": "50"})

        assert {row["character_id"] for row in page["data"]} == {
            world[name] for name in world
        } & openable
        small = checked_division > 1 and connection.vendor != "sqlite"
        assert bool(whole_scope) is not small

    def test_should_give_sqlite_the_division_as_a_subquery_however_few_match(self, world, client):
        """SQLite reads a subquery once, while a list of ids joined with the viewer's scope
        makes it probe the whole list for every character; MariaDB is given the ids of few
        matches, so that it looks those up instead of testing every character in scope."""
        viewer = user_with_main(*EVERYTHING)
        conditions = skill_levels({"skills": f"{CYNO}:5,{JUMP_DRIVE}:4"}, "skills")
        rows = skill_search.matching_characters(viewer, skill_search.SkillSearch(conditions))

        with CaptureQueriesContext(connection) as queries:
            page = skill_search.results_table(rows).page({"length": "50"})

        assert page["recordsTotal"] == 3
        count = next(query["sql"] for query in queries if "COUNT(" in query["sql"])
        assert ("HAVING" in count) == (connection.vendor == "sqlite")

    @pytest.mark.parametrize("descending", [False, True])
    @pytest.mark.parametrize(
        "column, key",
        [
            ("name", "eve_character__character_name"),
            ("corporation", "eve_character__corporation_name"),
            ("alliance", "eve_character__alliance_name"),
            (
                "main",
                "eve_character__character_ownership__user__profile__main_character__character_name",
            ),
            ("total_skillpoints", "skillpoints__total"),
        ],
    )
    def test_should_page_through_matches_in_the_order_of_any_column_both_ways(
        self, column, key, descending, world, client
    ):
        client.force_login(user_with_main(*EVERYTHING))
        index = [c["data"] for c in skill_search.results_table().browser_spec()["columns"]]
        characters = Character.objects.filter(eve_character__character_id__in=world.values())
        # ties are broken by the EVE character's key; NULL sorts first, as in both databases
        expected = [
            character_id
            for value, tiebreaker, character_id in sorted(
                characters.values_list(key, "eve_character_id", "eve_character__character_id"),
                key=lambda row: (row[0] is not None, *row),
                reverse=descending,
            )
        ]

        listed = []
        for start in range(0, len(world), 2):
            page = search(
                client,
                skills=f"{CYNO}:4",
                start=start,
                length=2,
                **{
                    "order[0][column]": index.index(column),
                    "order[0][dir]": "desc" if descending else "asc",
                },
            )
            listed += [row["character_id"] for row in page["data"]]

        assert listed == expected

    def test_should_refuse_users_without_finder_access(self, world, client):
        client.force_login(user_with_main())

        for name in ("skill_search", "skill_search_data", "skill_search_csv", "skill_suggestions"):
            assert client.get(reverse(f"memberaudit:{name}")).status_code == 403

    @pytest.mark.parametrize(
        "params",
        [
            {"skills": "abc"},
            {"skills": "900001"},
            {"skills": "900001:6"},
            {"skills": "900001:-1"},
            {"skills": ",".join(f"{900_000 + n}:1" for n in range(31))},
            {"min_skillpoints": "lots"},
            {"corporation": "-5"},
        ],
    )
    def test_should_answer_malformed_conditions_with_400(self, params, world, client):
        client.force_login(user_with_main(*EVERYTHING))

        response = client.get(reverse("memberaudit:skill_search_data"), params)

        assert response.status_code == 400
        assert response.json()["error"]

    def test_should_download_all_matches_as_csv(self, world, client):
        client.force_login(user_with_main(*EVERYTHING))

        response = client.get(
            reverse("memberaudit:skill_search_csv"), {"skills": f"{CYNO}:5,{JUMP_DRIVE}:4"}
        )

        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert lines[0] == [
            "Character",
            "Character ID",
            "Main",
            "Corporation",
            "Alliance",
            "Total SP",
        ]
        assert {int(line[1]) for line in lines[1:]} == {
            world["cyno_jump"],
            world["cyno_jump_beta"],
            world["orphan"],
        }

    def test_should_record_other_owners_characters_found_in_the_access_log(self, world, client):
        recruiter = user_with_main(FINDER, "memberaudit.view_shared_characters")
        own = give_skills(create_character(user=recruiter), {CYNO: 5})
        client.force_login(recruiter)

        assert found(client, skills=f"{CYNO}:5") == {world["cyno_jump"], own.character_id}

        entries = AccessLogEntry.objects.values_list(
            "viewer", "character__eve_character__character_id", "section", "reason"
        )
        assert list(entries) == [
            (recruiter.pk, world["cyno_jump"], "skill_search", AccessLogEntry.Reason.SHARE)
        ]
        assert access_log.opened_title("skill_search") == "Skill search"

    def test_should_record_characters_with_the_right_that_shows_them(self, world, client):
        auditor = user_with_main(*EVERYTHING)
        client.force_login(auditor)

        search(client, skills=f"{CYNO}:5,{JUMP_DRIVE}:4")

        assert dict(
            AccessLogEntry.objects.values_list("character__eve_character__character_id", "reason")
        ) == {
            world["cyno_jump"]: AccessLogEntry.Reason.EVERYTHING,  # also shared: the broader right
            world["cyno_jump_beta"]: AccessLogEntry.Reason.EVERYTHING,
            world["orphan"]: AccessLogEntry.Reason.EVERYTHING,
        }

    def test_should_record_the_characters_of_a_csv_download(self, world, client):
        client.force_login(user_with_main(*EVERYTHING))

        response = client.get(
            reverse("memberaudit:skill_search_csv"), {"skills": f"{JUMP_DRIVE}:5"}
        )
        assert not AccessLogEntry.objects.exists()  # nothing sent yet
        b"".join(response.streaming_content)

        logged = AccessLogEntry.objects.values_list(
            "character__eve_character__character_id", "section"
        )
        assert set(logged) == {
            (world["cyno_jump_beta"], "skill_search"),
            (world["orphan"], "skill_search"),
        }

    def test_should_show_skills_a_link_brings(self, world, client):
        client.force_login(user_with_main(*EVERYTHING))

        response = client.get(reverse("memberaudit:skill_search"), {"skills": f"{CYNO}:4"})

        assert response.status_code == 200
        assert response.context["conditions"] == [{"id": CYNO, "name": f"Skill {CYNO}", "level": 4}]


class TestSkillSuggestions:
    def test_should_suggest_published_skills_whose_name_contains_the_text_start_first(self, client):
        from eveuniverse.models import EveType

        create_skill_types(3, first_id=CYNO)
        EveType.objects.filter(id=CYNO).update(name="Cynosural Field Theory")
        EveType.objects.filter(id=JUMP_DRIVE).update(name="Advanced Cynosural Theory")
        EveType.objects.filter(id=SCIENCE).update(name="Cynosural Secret", published=False)
        client.force_login(user_with_main(FINDER))

        response = client.get(reverse("memberaudit:skill_suggestions"), {"q": "cyno"})

        assert response.json()["skills"] == [
            {"id": CYNO, "name": "Cynosural Field Theory"},
            {"id": JUMP_DRIVE, "name": "Advanced Cynosural Theory"},
        ]

    def test_should_suggest_nothing_for_an_empty_text(self, client):
        client.force_login(user_with_main(FINDER))

        response = client.get(reverse("memberaudit:skill_suggestions"), {"q": " "})

        assert response.json() == {"skills": []}


class TestSkillLevelsParameter(TestCase):
    @given(
        st.dictionaries(
            st.integers(min_value=1, max_value=2**63 - 1),
            st.integers(min_value=0, max_value=5),
            max_size=30,
        )
    )
    @settings(max_examples=50)
    def test_should_read_back_any_valid_conditions(self, conditions):
        written = ",".join(f"{skill}:{level}" for skill, level in conditions.items())

        assert skill_levels({"skills": written}, "skills") == conditions

    @given(st.text(max_size=60))
    @settings(max_examples=100)
    def test_should_read_any_text_as_conditions_or_refuse_it(self, text):
        try:
            conditions = skill_levels({"skills": text}, "skills")
        except InvalidParameter:
            return
        assert all(0 <= level <= 5 for level in conditions.values())
        assert all(0 < skill < 2**63 for skill in conditions)

    def test_should_keep_the_higher_level_of_a_skill_named_twice(self):
        assert skill_levels({"skills": "5:2, 5:4 ,5:3"}, "skills") == {5: 4}
