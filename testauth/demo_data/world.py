"""The demo world: who logs in as whom, with which characters and which role.

Plain data without Django imports, so ``demo.py`` can print the start table before Django runs.
All characters come from the fake EVE server's demo scenario
(``fake_eve/scenarios/demo.json``, which includes the default scenario).
"""

from __future__ import annotations

from dataclasses import dataclass, field

SCENARIO_FILE = "demo.json"

# Groups named after the example roles of the documentation, with their permissions.
ROLE_PERMISSIONS = {
    "Normal user": ["basic_access"],
    "Applicant": ["basic_access", "share_characters"],
    "Recruiter": ["basic_access", "finder_access", "view_shared_characters"],
    "Corporation Leadership": ["basic_access", "reports_access", "view_same_corporation"],
    "Corp Leadership & Recruiter": [
        "basic_access",
        "finder_access",
        "view_shared_characters",
        "reports_access",
        "view_same_corporation",
    ],
    "Alliance Auditor": [
        "basic_access",
        "finder_access",
        "characters_access",
        "view_same_alliance",
        "reports_access",
        "receive_red_flags",
    ],
}

# The two alliances of the scenario: members of their corporations are in the Member state.
MEMBER_ALLIANCES = [99000001, 99000002]


@dataclass(frozen=True)
class DemoCharacter:
    character_id: int
    name: str
    registered: bool = True
    shared: bool = False


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str  # the group, or "" for a member without a role
    main: DemoCharacter
    alts: tuple[DemoCharacter, ...] = ()
    look_at: str = ""
    corporation: str = ""

    @property
    def characters(self) -> tuple[DemoCharacter, ...]:
        return (self.main, *self.alts)

    @property
    def email(self) -> str:
        return f"{self.username}@example.com"


def _c(character_id: int, name: str, **kwargs) -> DemoCharacter:
    return DemoCharacter(character_id, name, **kwargs)


USERS: list[DemoUser] = [
    DemoUser(
        "pilot",
        "Normal user",
        _c(90000004, "Dax Morrow"),
        (_c(2112000011, "Kara Voss"), _c(2112000012, "Lio Brand")),
        "My characters, then a character's tabs: assets, mails, wallet, skills",
        "Eclipse Shipyards",
    ),
    DemoUser(
        "applicant",
        "Applicant",
        _c(2112000022, "Ivo Renner", shared=True),
        (
            _c(2112000023, "Sela Renner"),
            _c(90000005, "Elin Sato"),
            _c(2112000002, "Gwen Halcyon", shared=True),
        ),
        "Share / unshare on My characters; Gwen Halcyon has 20,000 assets",
        "Science and Trade Institute",
    ),
    DemoUser(
        "recruiter",
        "Recruiter",
        _c(2112000001, "Fen Holloway"),
        (_c(2112000016, "Petra Lind"),),
        "Character finder: only the applicant's shared characters",
        "Rust Belt Industries",
    ),
    DemoUser(
        "corp_leadership",
        "Corporation Leadership",
        _c(90000001, "Aria Jaxon"),
        (_c(2112000013, "Juno Arkwright"),),
        "Reports on Eclipse Shipyards; no finder, no other character sheets",
        "Eclipse Shipyards",
    ),
    DemoUser(
        "corp_leadership_recruiter",
        "Corp Leadership & Recruiter",
        _c(90000003, "Cyra Oris"),
        (_c(2112000019, "Quinn Varro"),),
        "Reports on Sanctum Logistics and the finder with shared characters",
        "Sanctum Logistics",
    ),
    DemoUser(
        "alliance_auditor",
        "Alliance Auditor",
        _c(90000002, "Bruno Velkan"),
        (_c(2112000003, "Hiro Tanaka"),),
        "Finder: every character of Northern Lights Collective; Red flags: the spy Nils Quell",
        "Rust Belt Industries",
    ),
    # Members without a role, so that reports and the finder have people to show.
    DemoUser(
        "mira",
        "Normal user",
        _c(2112000014, "Mira Quell"),
        (_c(2112000015, "Nils Quell"),),
        corporation="Eclipse Shipyards",
    ),
    DemoUser(
        "noor",
        "Normal user",
        _c(2112000017, "Noor Abadi"),
        (_c(2112000018, "Omar Abadi"),),
        corporation="Rust Belt Industries",
    ),
    DemoUser(
        "odo",
        "Normal user",
        _c(2112000020, "Odo Pratt"),
        (_c(2112000021, "Rhea Pratt", registered=False),),
        corporation="Sanctum Logistics",
    ),
]

# The watchlist: the hostile alliance of the spy scenario (fake_eve/scenarios/spy_demo.json),
# its corporation and its contact, as (id, name, category, reason).
WATCHLIST = [
    (99000666, "Black Tide Syndicate", "alliance", "At war with Northern Lights Collective"),
    (98000666, "Crimson Ledger", "corporation", "Executor of Black Tide Syndicate"),
    (2112099001, "Vex Corran", "character", "Black Tide's spymaster"),
]

ADMIN = {"username": "admin", "password": "admin", "email": "admin@example.com"}


@dataclass(frozen=True)
class DemoSkillSet:
    """A skill set made from a fitting in EFT format: the fitting's name becomes its name."""

    fitting: str
    description: str = ""
    recommended: dict[str, int] = field(default_factory=dict)  # skill name -> level


@dataclass(frozen=True)
class DemoSkillSetGroup:
    name: str
    description: str
    is_doctrine: bool
    skill_sets: tuple[DemoSkillSet, ...]


# Skill sets of the demo, made from fittings of the scenario's ships, modules and drones the
# way an admin imports them (the types come from the fake ESI with their required skills).
# Chosen so that the demo characters show every state: met, required met, not met.
SKILL_SET_GROUPS: list[DemoSkillSetGroup] = [
    DemoSkillSetGroup(
        "Northern Lights Doctrine",
        "The ships of the alliance's standard fleet.",
        True,
        (
            DemoSkillSet(
                """[Caracal, Doctrine Caracal]
1MN Afterburner I

Light Missile Launcher I
Light Missile Launcher I
Light Missile Launcher I
""",
                "Light missile cruiser of the main fleet",
                {"Caldari Cruiser": 4, "Light Missiles": 4},
            ),
            DemoSkillSet(
                """[Drake, Doctrine Drake]
1MN Afterburner I

Light Missile Launcher I
Light Missile Launcher I

Hobgoblin I x2
""",
                "Battlecruiser with light drones",
                {"Caldari Battlecruiser": 3},
            ),
        ),
    ),
    DemoSkillSetGroup(
        "Tackle",
        "Fast frigates that hold targets for the fleet.",
        False,
        (
            DemoSkillSet(
                """[Rifter, Tackle Rifter]
1MN Afterburner I

125mm Gatling AutoCannon I
125mm Gatling AutoCannon I
""",
                "Cheap tackle",
                {"Minmatar Frigate": 3, "Afterburner": 3},
            ),
            DemoSkillSet(
                """[Merlin, Starter Merlin]
1MN Afterburner I

Light Missile Launcher I
""",
                "Tackle anyone can fly",
                {"Caldari Frigate": 3},
            ),
        ),
    ),
]


def registered_characters() -> list[DemoCharacter]:
    return [c for user in USERS for c in user.characters if c.registered]


def start_table() -> list[tuple[str, str, str]]:
    """Rows of the table ``make demo`` prints: role, how to log in, what to look at."""
    rows = [(user.role, f"pick {user.main.name}", user.look_at) for user in USERS if user.look_at]
    rows.append(
        (
            "Admin",
            f"{ADMIN['username']} / {ADMIN['password']} at /admin/",
            "Django admin: characters, update status, skill sets, the watchlist",
        )
    )
    return rows
