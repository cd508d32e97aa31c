"""What the pages load with a character, in the same query."""

LAUNCHER_RELATIONS = (
    "eve_character",
    "location__eve_solar_system",
    "location__location__eve_solar_system",
    "ship__eve_type",
    "wallet_balance",
    "skillpoints",
    "jump_fatigue",
)

CHARACTER_DETAILS_RELATIONS = (
    "race",
    "bloodline",
    "ancestry",
    "corporation",
    "alliance",
    "faction",
)

VIEWER_RELATIONS = (
    *LAUNCHER_RELATIONS,
    "eve_character__character_ownership__user__profile__main_character",
    "online_status",
    # what the Character tab and the Jump clones tab show, loaded with the character
    *(f"details__{related}" for related in CHARACTER_DETAILS_RELATIONS),
    "clone_info__home_location__eve_solar_system",
    "attributes",
    "fw_stats__faction",
)

OWNER = "eve_character__character_ownership__user"
