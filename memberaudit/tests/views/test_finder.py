"""The character finder: exactly the characters the viewer may open, with filters."""

from datetime import timedelta

import pytest

from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from allianceauth.authentication.models import CharacterOwnership, State
from allianceauth.tests.auth_utils import AuthUtils

from memberaudit import access, json_tables, selectors, tables
from memberaudit.models import Character, CharacterCorporationRole, CharacterShare

from ..factories import (
    create_character,
    create_orphan_character,
    create_user_with_main,
    share_with_all_recruiters,
)

pytestmark = pytest.mark.django_db

FINDER = "memberaudit.finder_access"


def user_with_main(*permissions, **main_fields):
    user = create_user_with_main(**main_fields)
    AuthUtils.add_permissions_to_user_by_name(list(permissions), user)
    return User.objects.get(pk=user.pk)


def finder_ids(client, **params) -> set[int]:
    response = client.get(reverse("memberaudit:finder_data"), {"length": 500, **params})
    assert response.status_code == 200
    return {row["character_id"] for row in response.json()["data"]}


@pytest.fixture
def world():
    """Characters in two alliances, shared and not, and an orphan."""
    same_alliance = {"alliance_id": 99_000_001, "alliance_name": "Alpha Alliance"}
    other_alliance = {"alliance_id": 99_000_002, "alliance_name": "Beta Alliance"}
    sharer = user_with_main(
        "memberaudit.share_characters", corporation_id=98_000_010, **same_alliance
    )
    plain = user_with_main(corporation_id=98_000_011, **other_alliance)
    characters = {
        "alpha": create_character(user=sharer, corporation_id=98_000_010, **same_alliance),
        "alpha_shared": create_character(user=sharer, **same_alliance),
        "beta": create_character(user=plain, corporation_id=98_000_011, **other_alliance),
        "beta_shared": create_character(user=plain, **other_alliance),
        "orphan": create_orphan_character(),
    }
    share_with_all_recruiters(characters["alpha_shared"])
    share_with_all_recruiters(characters["beta_shared"])
    return characters


class TestFinder:
    @pytest.mark.parametrize(
        "permissions",
        [
            (FINDER, "memberaudit.view_shared_characters"),
            (FINDER, "memberaudit.characters_access", "memberaudit.view_same_alliance"),
            (FINDER, "memberaudit.characters_access", "memberaudit.view_everything"),
        ],
    )
    def test_should_list_exactly_the_characters_the_viewer_may_open(
        self, permissions, world, client
    ):
        viewer = user_with_main(
            *permissions, alliance_id=99_000_001, alliance_name="Alpha Alliance"
        )
        client.force_login(viewer)

        listed = finder_ids(client)

        expected = {c.character_id for c in access.finder_characters(viewer)}
        assert listed == expected
        assert expected  # the case is not trivial

    def test_should_open_every_listed_character(self, world, client):
        viewer = user_with_main(FINDER, "memberaudit.view_shared_characters")
        client.force_login(viewer)

        rows = client.get(reverse("memberaudit:finder_data")).json()["data"]

        assert rows
        for row in rows:
            assert client.get(row["url"]).status_code == 200

    def test_should_filter_by_corporation_alliance_main_state_and_shared(self, world, client):
        viewer = user_with_main(
            FINDER, "memberaudit.characters_access", "memberaudit.view_everything"
        )
        client.force_login(viewer)
        ids = {name: character.character_id for name, character in world.items()}
        beta_main = world["beta"].owner.profile.main_character.character_id

        assert finder_ids(client, corporation=98_000_011) == {ids["beta"]}
        assert finder_ids(client, alliance=99_000_001) == {ids["alpha"], ids["alpha_shared"]}
        assert finder_ids(client, main=beta_main) == {ids["beta"], ids["beta_shared"]}
        # beta_shared's owner may not share: the share opens nothing, so it does not count
        assert finder_ids(client, shared="1") == {ids["alpha_shared"]}
        assert {ids["orphan"], ids["beta_shared"]} <= finder_ids(client, shared="0")
        state = world["alpha"].owner.profile.state.name
        assert ids["alpha"] in finder_ids(client, state=state)
        assert ids["orphan"] not in finder_ids(client, state=state)

    def test_should_search_and_sort_by_name(self, world, client):
        viewer = user_with_main(
            FINDER, "memberaudit.characters_access", "memberaudit.view_everything"
        )
        client.force_login(viewer)
        name = world["beta"].name

        response = client.get(reverse("memberaudit:finder_data"), {"search[value]": name})
        assert [row["name"] for row in response.json()["data"]] == [name]

        response = client.get(
            reverse("memberaudit:finder_data"),
            {"order[0][column]": "0", "order[0][dir]": "desc"},
        )
        names = [row["name"] for row in response.json()["data"]]
        assert names == sorted(names, reverse=True)

    def test_should_render_the_page_with_filter_choices(self, world, client):
        viewer = user_with_main(
            FINDER, "memberaudit.characters_access", "memberaudit.view_everything"
        )
        client.force_login(viewer)

        html = client.get(reverse("memberaudit:finder")).content.decode()

        assert 'id="finder-table"' in html
        assert '<option value="99000002">Beta Alliance</option>' in html

    def test_should_refuse_users_without_finder_access(self, client):
        client.force_login(user_with_main("memberaudit.view_shared_characters"))

        assert client.get(reverse("memberaudit:finder")).status_code == 403
        assert client.get(reverse("memberaudit:finder_data")).status_code == 403

    def test_should_send_anonymous_visitors_to_the_login_page(self, client):
        response = client.get(reverse("memberaudit:finder"))

        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.fixture
def crowd(world):
    """More characters, with equal names, corporations, mains, states, shares, share ends and
    role counts."""
    owner = world["alpha"].owner
    crowd = [
        create_character(user=owner, character_name=f"Crowd {n % 3}", corporation_id=98_000_010)
        for n in range(6)
    ]
    ends = timezone.now() + timedelta(days=3)
    share_with_all_recruiters(crowd[0], expires_at=ends)
    share_with_all_recruiters(crowd[1], expires_at=ends)
    CharacterCorporationRole.objects.bulk_create(
        [
            CharacterCorporationRole(character=character, scope="general", role=role)
            for character in crowd[2:5]
            for role in ("Director", "Accountant")
        ]
    )
    return world


def live_shared() -> set[int]:
    """The EVE ids of the characters a live share opens."""
    return {
        share.character.eve_character.character_id
        for share in access.live_shares().select_related("character__eve_character")
    }


def auditor(client) -> User:
    viewer = user_with_main(FINDER, "memberaudit.characters_access", "memberaudit.view_everything")
    client.force_login(viewer)
    return viewer


def all_pages(client, column: int, direction: str, length: int = 3) -> list[int]:
    ids, start = [], 0
    while True:
        params = {"start": start, "length": length}
        params |= {"order[0][column]": column, "order[0][dir]": direction}
        data = client.get(reverse("memberaudit:finder_data"), params).json()["data"]
        if not data:
            return ids
        ids += [row["character_id"] for row in data]
        start += length


class TestFinderPages:
    @pytest.mark.parametrize("direction", ["asc", "desc"])
    @pytest.mark.parametrize("shares", ["subquery", "list", "none"])
    def test_should_give_every_page_of_every_sort_as_the_plain_ordering(
        self, crowd, client, direction, shares, monkeypatch
    ):
        """With the shares asked as a subquery (SQLite), read as a list of keys (MariaDB),
        and with no share at all (an empty list)."""
        if shares != "subquery":
            monkeypatch.setattr(tables, "keys_read_as_list", lambda: True)
        if shares == "none":
            CharacterShare.objects.all().delete()
        rows = selectors.finder_rows(auditor(client))
        annotated = rows.shown.query.annotations
        sort_keys = {k: v for k, v in rows.sort_keys.items() if k not in annotated}
        shown = [column for column in json_tables.finder().columns if column.is_shown]
        sign = "-" if direction == "desc" else ""

        for index, column in enumerate(shown):
            if not column.order_by:
                continue
            plain = list(
                rows.shown.annotate(**sort_keys)
                .filter(pk__in=rows.characters)
                .order_by(f"{sign}{column.order_by}", f"{sign}eve_character_id")
                .values_list("eve_character__character_id", flat=True)
            )

            paged = all_pages(client, index, direction)

            assert paged == plain, column.name
            assert len(set(paged)) == len(paged) == rows.characters.count()
        listed = client.get(reverse("memberaudit:finder_data"), {"length": 500}).json()["data"]
        shared = {row["character_id"] for row in listed if row["is_shared"]}
        assert shared == live_shared()
        assert shared or shares == "none"

    def test_should_find_a_page_without_joining_mains_states_shares_or_roles(self, crowd, client):
        auditor(client)
        client.get(reverse("memberaudit:finder_data"))  # the user, the permissions

        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("memberaudit:finder_data"))

        assert response.json()["data"]
        characters = connection.ops.quote_name("memberaudit_character")
        by_key = f"{characters}.{connection.ops.quote_name('id')} IN ("
        finding = [
            query["sql"]
            for query in queries
            if f"FROM {characters}" in query["sql"] and by_key not in query["sql"]
        ]
        assert finding  # the count and the page's keys
        for sql in finding:
            for table in ("userprofile", "authentication_state", "share", "corporationrole"):
                assert table not in sql, sql

    @pytest.mark.parametrize("shares", ["list", "none"])
    def test_should_sort_by_share_end_by_the_ends_read_with_the_shared_characters(
        self, crowd, client, shares, monkeypatch
    ):
        """With the shared characters read as a list of keys (MariaDB), when their shares
        end is read in the same query: a page sorted by the share's end sorts by those
        values, without a subquery of the shares for every character; with no end to sort
        by, by the tiebreaker alone."""
        monkeypatch.setattr(tables, "keys_read_as_list", lambda: True)
        if shares == "none":
            CharacterShare.objects.all().delete()
        auditor(client)
        names = [column.name for column in json_tables.finder().columns if column.is_shown]
        params = {"order[0][column]": names.index("share_ends_at"), "order[0][dir]": "desc"}
        client.get(reverse("memberaudit:finder_data"), params)

        with CaptureQueriesContext(connection) as queries:
            rows = client.get(reverse("memberaudit:finder_data"), params).json()["data"]

        keys = next(q["sql"] for q in queries if "counted_rows" in q["sql"])
        assert "charactershare" not in keys  # the viewer sees every character
        ends = [row["share_ends_at"] for row in rows]
        if shares == "none":
            assert "CASE" not in keys.upper()
            assert ends == [None] * len(rows)
        else:
            shared = access.live_shares().filter(expires_at__isnull=False)
            expected = sorted((share.expires_at.isoformat() for share in shared), reverse=True)
            assert len(expected) >= 2
            assert ends[: len(expected)] == expected  # latest first, then until revoked
            assert ends[len(expected) :] == [None] * (len(rows) - len(expected))

    def test_should_sort_by_roles_and_shares(self, crowd, client):
        auditor(client)
        names = [column.name for column in json_tables.finder().columns if column.is_shown]

        def first_rows(name):
            params = {"order[0][column]": names.index(name), "order[0][dir]": "desc"}
            return client.get(reverse("memberaudit:finder_data"), params).json()["data"][:3]

        roles = [row["corporation_roles"] for row in first_rows("corporation_roles")]
        assert roles == [["Director", "Accountant"]] * 3
        assert all(row["is_shared"] for row in first_rows("is_shared"))


class TestFinderQueries:
    @pytest.mark.parametrize(
        "permissions",
        [
            (FINDER, "memberaudit.view_shared_characters"),
            (FINDER, "memberaudit.characters_access", "memberaudit.view_same_alliance"),
            (FINDER, "memberaudit.characters_access", "memberaudit.view_everything"),
        ],
    )
    @pytest.mark.parametrize("search", ["", "Alpha", "nobody"])
    def test_should_count_what_the_viewer_may_open_with_the_page_keys_without_a_window(
        self, permissions, search, world, client
    ):
        viewer = user_with_main(
            *permissions, alliance_id=99_000_001, alliance_name="Alpha Alliance"
        )
        client.force_login(viewer)
        params = {"length": 1, "search[value]": search}

        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("memberaudit:finder_data"), params).json()

        may_open = access.accessible_characters(viewer).select_related("eve_character")
        matching = [
            c
            for c in may_open
            if search.lower() in f"{c.name} {c.eve_character.alliance_name or ''}".lower()
        ]
        assert page["recordsTotal"] == may_open.count()
        assert page["recordsFiltered"] == len(matching)
        assert not any(" OVER " in query["sql"].upper() for query in queries)

    def test_should_break_ties_of_a_name_by_the_key_of_the_eve_characters_own_table(
        self, crowd, client
    ):
        """Sorted by a name of the EVE character, then by that table's key: the order of the
        name's index, which the database walks instead of sorting every character."""
        auditor(client)
        client.get(reverse("memberaudit:finder_data"))
        quote = connection.ops.quote_name

        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("memberaudit:finder_data"), {"length": 2})

        keys = next(q["sql"] for q in queries if "counted_rows" in q["sql"])
        print("KEYS", keys)
        order = keys.rpartition("ORDER BY")[2]
        table = quote("eveonline_evecharacter")
        assert f"{table}.{quote('character_name')} ASC, {table}.{quote('id')} ASC" in order

    @pytest.mark.parametrize("searched", ["main", "state"])
    def test_should_search_mains_and_states_from_the_owners_first(self, crowd, client, searched):
        """A search finds the owners whose main or state matches first: no character is
        joined to its owner to be searched."""
        viewer = auditor(client)
        profile = crowd["beta"].owner.profile
        text = profile.main_character.character_name if searched == "main" else "Guest"
        if searched == "state":
            profile.state.name = text  # renamed: the owners in that state match
            profile.state.save()
        expected = {
            c.character_id
            for c in access.accessible_characters(viewer).select_related("eve_character")
            if text.lower() in c.name.lower()
            or c.owner
            and text.lower()
            in (
                f"{c.owner.profile.main_character.character_name} {c.owner.profile.state.name}"
            ).lower()
        }

        with CaptureQueriesContext(connection) as queries:
            found = finder_ids(client, **{"search[value]": text})

        assert found == expected
        assert {crowd["beta"].character_id, crowd["beta_shared"].character_id} <= found
        searching = [q["sql"] for q in queries if "LIKE" in q["sql"]]
        assert searching
        ownership = connection.ops.quote_name("authentication_characterownership")
        for sql in searching:
            assert f"JOIN {ownership} ON" not in sql


ROLES = {
    "owner": (FINDER,),
    "corporation": (FINDER, "memberaudit.characters_access", "memberaudit.view_same_corporation"),
    "alliance": (FINDER, "memberaudit.characters_access", "memberaudit.view_same_alliance"),
    "everything": (FINDER, "memberaudit.characters_access", "memberaudit.view_everything"),
    "shares": (FINDER, "memberaudit.view_shared_characters"),
    "none": (),
}


def read_scope_as_list(monkeypatch):
    monkeypatch.setattr(tables, "keys_read_as_list", lambda: True)


@pytest.fixture(params=["keys", "wide", "wide, searched in it"])
def scope_read_as(request, monkeypatch):
    """The viewer's scope read as a list of keys (as on MariaDB, also on SQLite), looked up
    by key ("keys") or, however few, tested character by character by its rules ("wide"):
    a search then finds its matches among all characters first, or, with more matches than
    are checked one by one, searches the scope ("wide, searched in it")."""
    read_scope_as_list(monkeypatch)
    if request.param.startswith("wide"):
        monkeypatch.setattr(access, "WIDE_SCOPE", 0)
    if request.param == "wide, searched in it":
        monkeypatch.setattr(access, "CHECKED_CHARACTERS", 0)
    return request.param


def role_viewer(role: str) -> User:
    if role == "superuser":
        viewer = user_with_main(
            FINDER,
            alliance_id=99_000_001,
            alliance_name="Alpha Alliance",
            corporation_id=98_000_010,
        )
        User.objects.filter(pk=viewer.pk).update(is_superuser=True)
        viewer = User.objects.get(pk=viewer.pk)
    else:
        viewer = user_with_main(
            *ROLES[role],
            alliance_id=99_000_001,
            alliance_name="Alpha Alliance",
            corporation_id=98_000_010,
        )
    create_character(user=viewer, character_name="Own Alt", corporation_id=98_000_012)
    return viewer


def pages(client, length: int = 2, **params) -> tuple[list[int], set]:
    """Every page's characters in order, and the counts each page gave."""
    ids, counts, start = [], set(), 0
    while True:
        response = client.get(
            reverse("memberaudit:finder_data"), {"start": start, "length": length, **params}
        )
        if response.status_code != 200:
            return ids, {response.status_code}
        page = response.json()
        counts.add((page["recordsTotal"], page["recordsFiltered"]))
        if not page["data"]:
            return ids, counts
        ids += [row["character_id"] for row in page["data"]]
        start += length


class TestFinderScopes:
    """For every role, the finder lists exactly the characters ``access`` lets the viewer
    open, with their counts, whether the scope is looked up by key or tested by its rules."""

    @pytest.mark.parametrize("role", [*ROLES, "superuser"])
    def test_should_list_and_count_exactly_what_access_allows(
        self, role, crowd, client, scope_read_as
    ):
        viewer = role_viewer(role)
        client.force_login(viewer)
        allowed = access.finder_characters(viewer).select_related("eve_character")
        may_open = access.accessible_characters(viewer) if FINDER in ROLES.get(role, FINDER) else []
        by_name = sorted(allowed, key=lambda c: (c.name, c.eve_character_id))
        total = len(by_name)

        listed, counts = pages(client)

        if role == "none":
            assert counts == {403}
            return
        assert {c.pk for c in allowed} == {c.pk for c in may_open}
        assert listed == [c.character_id for c in by_name]
        assert counts == {(total, total)}
        for params, wanted in (
            (
                {"search[value]": "Alpha"},
                lambda c: "alpha" in f"{c.name} {c.eve_character.alliance_name}".lower(),
            ),
            ({"alliance": 99_000_001}, lambda c: c.eve_character.alliance_id == 99_000_001),
            ({"order[0][column]": 3, "order[0][dir]": "desc"}, lambda c: True),
        ):
            listed, counts = pages(client, **params)
            expected = {c.character_id for c in by_name if wanted(c)}
            assert sorted(listed) == sorted(expected), params
            # a filter narrows the rows counted in all (as the finder's own filters do)
            narrowed = len(expected) if "alliance" in params else total
            assert counts == {(narrowed, len(expected))}, params

    def test_should_walk_the_sort_of_a_wide_scope_without_its_keys(
        self, crowd, client, monkeypatch
    ):
        """A wide scope is counted by its keys, read once, and never sent back: the page's
        keys are found by the scope's rules."""
        viewer = role_viewer("alliance")
        client.force_login(viewer)
        scope = list(access.finder_characters(viewer).values_list("pk", flat=True))
        read_scope_as_list(monkeypatch)  # as on MariaDB
        monkeypatch.setattr(access, "WIDE_SCOPE", len(scope) - 1)
        client.get(reverse("memberaudit:finder_data"))

        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("memberaudit:finder_data"), {"length": 2}).json()

        assert page["recordsTotal"] == page["recordsFiltered"] == len(scope)
        characters = connection.ops.quote_name("memberaudit_character")
        key = connection.ops.quote_name("id")
        keys_sent = [
            query["sql"]
            for query in queries
            if f"{characters}.{key} IN ({min(scope)}" in query["sql"].replace(" ", "")
            or str(sorted(scope))[1:-1] in query["sql"]
        ]
        assert keys_sent == []
        assert not any("counted_rows" in query["sql"] for query in queries)

    @pytest.mark.parametrize("wide_scope", ["one less", "half", "none"])
    def test_should_count_a_wide_scope_in_full_only_for_a_page_that_needs_its_total(
        self, crowd, client, monkeypatch, wide_scope
    ):
        """Whether a scope is wide is found by counting up to one more than WIDE_SCOPE; all
        its characters are counted only for a page that sends the total, not for a search
        whose browser knows it."""
        viewer = role_viewer("alliance")
        client.force_login(viewer)
        scope = access.finder_characters(viewer).count()
        read_scope_as_list(monkeypatch)  # as on MariaDB
        limit = {"one less": scope - 1, "half": scope // 2, "none": 0}[wide_scope]
        monkeypatch.setattr(access, "WIDE_SCOPE", limit)
        searched = {"search[value]": "Alpha"}
        client.get(reverse("memberaudit:finder_data"))

        answers, counts = {}, {}
        for name, params in {
            "plain": {},
            "searched": searched,
            "known": {**searched, "total_known": "1"},
        }.items():
            with CaptureQueriesContext(connection) as queries:
                answers[name] = client.get(reverse("memberaudit:finder_data"), params).json()
            counts[name] = [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(")]

        assert answers["plain"]["recordsTotal"] == scope
        assert answers["searched"]["recordsTotal"] == scope
        assert answers["known"]["recordsTotal"] is None
        assert answers["known"]["data"] == answers["searched"]["data"]
        assert answers["known"]["recordsFiltered"] == answers["searched"]["recordsFiltered"]
        # the counts that tell a wide scope stop one past WIDE_SCOPE; only a page that
        # sends the total counts every character
        bounded = [sql for sql in counts["known"] if f"LIMIT {limit + 1}" in sql]
        assert bounded and bounded == counts["known"]
        assert len(counts["searched"]) > len(counts["known"])

    def test_should_check_the_matches_of_a_wide_scope_by_the_rules_of_its_page(
        self, crowd, client, monkeypatch
    ):
        """A search of a wide scope checks its matches against the rules the page built for
        its scope (with the open shares read once as keys), not against rules built again."""
        viewer = role_viewer("alliance")
        client.force_login(viewer)
        read_scope_as_list(monkeypatch)
        monkeypatch.setattr(access, "WIDE_SCOPE", 0)
        expected = {
            c.eve_character.character_id
            for c in access.finder_characters(viewer).select_related("eve_character")
            if "alpha" in f"{c.name} {c.eve_character.alliance_name}".lower()
        }
        built = []
        rules = access._rules
        monkeypatch.setattr(
            access, "_rules", lambda *args, **kwargs: built.append(args) or rules(*args, **kwargs)
        )

        found, counts = pages(client, length=100, **{"search[value]": "Alpha"})

        assert set(found) == expected
        assert {filtered for _, filtered in counts} == {len(expected)}
        assert len(built) == 2  # the page and the empty one after it: once for each


@pytest.mark.parametrize("role", [*ROLES, "superuser"])
def test_should_offer_the_choices_of_the_characters_in_scope_in_name_order(crowd, role):
    """The filters offer the corporations, alliances, owners' mains and states of exactly
    the characters the finder lists, each once, in the order of their names (whatever their
    case), and nothing for what a character lacks (an alliance, an owner, a main)."""
    without_main(create_character(character_name="Mainless", alliance_id=None))
    create_character(corporation_id=98_000_012, corporation_name="aardvark corp")
    viewer = role_viewer(role)
    listed = access.finder_characters(viewer).select_related(
        "eve_character__character_ownership__user__profile__main_character",
        "eve_character__character_ownership__user__profile__state",
    )

    def choices(pairs):
        return sorted(set(pairs), key=lambda pair: (pair[1].casefold(), pair[0]))

    profiles = [c.owner.profile for c in listed if c.owner]
    expected = {
        "corporations": choices(
            (c.eve_character.corporation_id, c.eve_character.corporation_name) for c in listed
        ),
        "alliances": choices(
            (c.eve_character.alliance_id, c.eve_character.alliance_name)
            for c in listed
            if c.eve_character.alliance_id
        ),
        "mains": choices(
            (p.main_character.character_id, p.main_character.character_name)
            for p in profiles
            if p.main_character
        ),
        "states": [name for name, _ in choices((p.state.name, "") for p in profiles)],
    }

    with CaptureQueriesContext(connection) as queries:
        options = selectors.finder_filter_options(viewer)
        searched = selectors.finder_filter_options(viewer, owners=False)

    assert options == expected
    assert searched == {key: expected[key] for key in ("corporations", "alliances")}
    data_queries = [q for q in queries if "memberaudit_character" in q["sql"]]
    assert len(data_queries) <= 2, [q["sql"] for q in data_queries]
    if role in ("everything", "superuser"):
        assert len(expected["corporations"]) > 2 and len(expected["mains"]) > 2


def without_main(character) -> None:
    """Clear the main of ``character``'s owner (Auth moves them to the guests' state)."""
    profile = character.owner.profile
    profile.main_character = None
    profile.save()


def column_index(name: str) -> int:
    return [column.name for column in json_tables.finder().columns if column.is_shown].index(name)


class TestFinderSortedByOwner:
    """Sorted by the owner's main or state, the finder reads the copies on the character
    (see :mod:`memberaudit.owner_copies`), along their indexes."""

    @pytest.mark.parametrize("direction", ["asc", "desc"])
    @pytest.mark.parametrize("column", ["main", "state"])
    def test_should_sort_by_the_owners_main_and_state_with_owners_without_a_main(
        self, crowd, client, column, direction
    ):
        State.objects.create(name="Pilots", priority=150, public=True)  # all with a main
        without_main(create_character(character_name="Mainless"))  # a guest
        viewer = auditor(client)

        def sort_key(character):
            owner = character.owner
            profile = owner.profile if owner else None
            if profile is None:
                value = ""
            elif column == "main":
                value = profile.main_character.character_name if profile.main_character else ""
            else:
                value = profile.state.name
            return value, character.eve_character_id

        characters = access.finder_characters(viewer).select_related("eve_character")
        expected = sorted(characters, key=sort_key, reverse=direction == "desc")
        names = {c.character_id: sort_key(c)[0] for c in expected}

        paged = all_pages(client, column_index(column), direction)

        assert paged == [c.character_id for c in expected]
        assert "" in names.values() and len(set(names.values())) > 2

    @pytest.mark.parametrize("viewer", ["everything", "wide alliance scope"])
    @pytest.mark.parametrize("column", ["main", "state"])
    def test_should_find_a_page_sorted_by_the_owner_on_the_characters_own_index(
        self, crowd, client, column, viewer, monkeypatch
    ):
        """The page's keys are read in the order of the copy's index (the copy, then the EVE
        character's key as the character holds it), without joining a character to its
        owner's main or state; also where the scope's rules join the character to its owner
        (a wide scope), whose EVE character's own key would sort every row in scope."""
        if viewer == "everything":
            auditor(client)
        else:
            read_scope_as_list(monkeypatch)
            monkeypatch.setattr(access, "WIDE_SCOPE", 0)
            client.force_login(role_viewer("alliance"))
        client.get(reverse("memberaudit:finder_data"))
        quote = connection.ops.quote_name
        params = {"length": 2, "order[0][column]": column_index(column), "order[0][dir]": "desc"}

        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("memberaudit:finder_data"), params)

        table = quote("memberaudit_character")
        copy = {"main": "owner_main_name", "state": "owner_state_name"}[column]
        keys = next(
            q["sql"]
            for q in queries
            if f"{table}.{quote(copy)} DESC" in q["sql"].rpartition("ORDER BY")[2]
        )
        order = keys.rpartition("ORDER BY")[2]
        assert f"{table}.{quote(copy)} DESC, {table}.{quote('eve_character_id')} DESC" in order
        joined = keys.partition(" WHERE ")[0]  # the scope's owners are a subquery
        assert "userprofile" not in joined and "authentication_state" not in joined
        assert f"memberaudit_{copy}" in plan_of(keys)

    def test_should_decide_who_is_listed_by_the_owner_now_not_by_the_copies(self, world, client):
        """A character moved without signals to a user out of the viewer's alliance leaves
        the finder, though its copies still name its former owner's main."""
        viewer = user_with_main(
            FINDER,
            "memberaudit.characters_access",
            "memberaudit.view_same_alliance",
            alliance_id=99_000_001,
            alliance_name="Alpha Alliance",
        )
        client.force_login(viewer)
        moved = world["alpha"]
        outsider = world["beta"].owner
        CharacterOwnership.objects.filter(character=moved.eve_character).update(user=outsider)
        sharer_main = world["alpha_shared"].owner.profile.main_character.character_name
        assert Character.objects.get(pk=moved.pk).owner_main_name == sharer_main

        for column in ("main", "state"):
            listed = all_pages(client, column_index(column), "asc")
            assert moved.character_id not in listed
            assert world["alpha_shared"].character_id in listed


def plan_of(sql: str) -> str:
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        return " ".join(str(value) for row in cursor.fetchall() for value in row)
