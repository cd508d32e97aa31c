"""Three corporations in two alliances and twenty users with mixed registration, and the two
skill sets the skill set report shows."""

from dataclasses import dataclass, field

from allianceauth.authentication.models import CharacterOwnership
from allianceauth.tests.auth_utils import AuthUtils

from memberaudit.models import Character, SkillSet
from memberaudit.skill_set_checks import update_checks_for_skill_sets

from ..factories import create_eve_character, create_user_with_main
from ..skill_sets.helpers import create_skill_set, give_skills, skill_types

ALLIANCES = {99_100_001: "Alliance One", 99_100_002: "Alliance Two"}
CORPORATIONS = {
    # corporation id: (name, ticker, alliance id)
    98_100_001: ("Corp One", "ONE", 99_100_001),
    98_100_002: ("Corp Two", "TWO", 99_100_001),
    98_100_003: ("Corp Three", "TRE", 99_100_002),
}
CORPORATION_OF_USER = [98_100_001] * 8 + [98_100_002] * 6 + [98_100_003] * 6
REPORTS_ACCESS = "memberaudit.reports_access"
# the scope a viewer of the reports has -> its permissions
SCOPES = {
    "none": [],
    "corporation": ["memberaudit.view_same_corporation"],
    "alliance": ["memberaudit.view_same_alliance"],
    "everything": ["memberaudit.view_everything"],
}


@dataclass
class Scenario:
    users: list = field(default_factory=list)
    known: dict = field(default_factory=dict)  # username -> characters in Auth
    registered: dict = field(default_factory=dict)  # username -> registered characters
    corporation: dict = field(default_factory=dict)  # username -> corporation name
    characters: dict = field(default_factory=dict)  # username -> registered Character list

    def users_of(self, *corporation_names) -> set[str]:
        return {name for name, corp in self.corporation.items() if corp in corporation_names}

    def is_compliant(self, username) -> bool:
        return self.known[username] == self.registered[username]


@dataclass
class SkillSets:
    first: int  # skill type ids
    second: int
    frigate: SkillSet
    cruiser: SkillSet


def affiliation(corporation_id: int) -> dict:
    name, ticker, alliance_id = CORPORATIONS[corporation_id]
    return {
        "corporation_id": corporation_id,
        "corporation_name": name,
        "corporation_ticker": ticker,
        "alliance_id": alliance_id,
        "alliance_name": ALLIANCES[alliance_id],
        "alliance_ticker": ALLIANCES[alliance_id][:4].upper(),
    }


def build_scenario() -> Scenario:
    """User i has 1 + i % 3 characters in Auth; even users registered all of them, users with
    i % 4 == 1 none, the others only their main."""
    scenario = Scenario()
    for index, corporation_id in enumerate(CORPORATION_OF_USER):
        username = f"pilot{index:02d}"
        fields = affiliation(corporation_id)
        user = create_user_with_main(username, character_name=f"Main {index:02d}", **fields)
        eve_characters = [user.profile.main_character]
        for alt in range(index % 3):
            eve_character = create_eve_character(character_name=f"Alt {index:02d}-{alt}", **fields)
            CharacterOwnership.objects.create(
                character=eve_character, user=user, owner_hash=f"h{eve_character.character_id}"
            )
            eve_characters.append(eve_character)
        if index % 2 == 0:
            to_register = eve_characters
        elif index % 4 == 1:
            to_register = []
        else:
            to_register = eve_characters[:1]
        scenario.characters[username] = [
            Character.objects.create(eve_character=eve_character) for eve_character in to_register
        ]
        scenario.users.append(user)
        scenario.known[username] = len(eve_characters)
        scenario.registered[username] = len(to_register)
        scenario.corporation[username] = fields["corporation_name"]
    return scenario


def grant(user, *permissions):
    AuthUtils.add_permissions_to_user_by_name(list(permissions), user)
    return type(user).objects.get(pk=user.pk)  # fresh permission cache


def add_skill_sets(scenario: Scenario) -> SkillSets:
    """Two active skill sets, checked for every character: Frigate needs the first skill at I
    (III recommended), Cruiser the first at III and the second at II. Main 00 has both skills
    at what Cruiser needs, Main 02 the first at I, the others no skills."""
    first, second = skill_types(2)
    frigate = create_skill_set("Frigate", {first: (1, 3)})
    cruiser = create_skill_set("Cruiser", {first: (3, None), second: (2, None)})
    give_skills(scenario.characters["pilot00"][0], {first: 3, second: 2})
    give_skills(scenario.characters["pilot02"][0], {first: 1})
    update_checks_for_skill_sets(SkillSet.objects.values_list("pk", flat=True))
    return SkillSets(first=first, second=second, frigate=frigate, cruiser=cruiser)


def login(client, scenario: Scenario, scope: str, index: int = 0):
    """Log in pilot<index> (Corp One unless told) with reports access and a scope."""
    viewer = grant(scenario.users[index], REPORTS_ACCESS, *SCOPES[scope])
    client.force_login(viewer)
    return viewer
