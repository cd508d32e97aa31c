"""A character's assets: items at places, and items inside other items (ships, containers)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveType

from .characters import Character
from .locations import Location

__all__ = ["CharacterAsset", "CharacterAssetPlace"]


class CharacterAsset(models.Model):
    """One item (or stack) a character owns.

    A top-level item has a ``location`` (station, structure, solar system) and no parent;
    an item inside a ship, container or office has a ``parent`` and no location.
    """

    character = models.ForeignKey(
        Character, on_delete=models.CASCADE, related_name="assets", verbose_name=_("character")
    )
    item_id = models.BigIntegerField(verbose_name=_("item ID"))
    eve_type = models.ForeignKey(
        EveType, on_delete=models.CASCADE, related_name="+", verbose_name=_("type")
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.CASCADE,
        null=True,
        default=None,
        blank=True,
        related_name="+",
        verbose_name=_("location"),
        help_text=_("The place of a top-level item; empty for items inside other items"),
    )
    # No database constraint and no cascade: the update deletes whole subtrees itself, so a
    # character's assets can be deleted with one statement (MySQL checks self-references row
    # by row and would refuse).
    parent = models.ForeignKey(
        "self",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        default=None,
        blank=True,
        related_name="children",
        verbose_name=_("parent item"),
        help_text=_("The ship, container or office this item is in"),
    )
    # Stored for every item, so that items deep inside ships and containers can be listed,
    # searched and sorted by where they are without walking up the tree.
    place = models.ForeignKey(
        Location,
        on_delete=models.CASCADE,
        null=True,
        default=None,
        blank=True,
        related_name="+",
        verbose_name=_("place"),
        help_text=_(
            "The station, structure or solar system the item is at, also when it is inside "
            "other items"
        ),
    )
    location_flag = models.CharField(
        max_length=100, blank=True, default="", verbose_name=_("location flag")
    )
    quantity = models.BigIntegerField(default=1, verbose_name=_("quantity"))
    is_singleton = models.BooleanField(default=False, verbose_name=_("singleton"))
    is_blueprint_copy = models.BooleanField(
        null=True, default=None, blank=True, verbose_name=_("blueprint copy")
    )
    name = models.CharField(max_length=255, blank=True, default="", verbose_name=_("name"))
    # Kept at store time, so that a table sorts and searches by the name it shows with an
    # index of its own instead of joining every item's type.
    sort_name = models.CharField(
        max_length=255,
        blank=True,
        default="",
        verbose_name=_("sort name"),
        help_text=_("The name shown: the item's own name, else its type's name"),
    )
    # Its parent's sort name, kept at store time like it: a search by the container reads it
    # on the index the search walks anyway, instead of finding the containers by name first.
    container_name = models.CharField(
        max_length=255,
        blank=True,
        default="",
        verbose_name=_("container name"),
        help_text=_("The name shown of the item this item is in; empty for top-level items"),
    )
    is_active_ship_in_space = models.BooleanField(
        default=False,
        verbose_name=_("active ship in space"),
        help_text=_(
            "The ship the character flies in space: ESI leaves it out of the asset list, "
            "so it is added from the ship and location data"
        ),
    )

    class Meta:
        default_permissions = ()
        verbose_name = _("character asset")
        verbose_name_plural = _("character assets")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "item_id"], name="memberaudit_asset_unique_item"
            )
        ]
        indexes = [
            models.Index(fields=["character", "location"], name="memberaudit_asset_location"),
            # with the type: the items at a place (or in an item) are counted per type on it;
            # with the name, so that a search of the top-level items (or of an item's
            # contents) reads only theirs, not every item of the character
            models.Index(
                fields=["character", "parent", "eve_type", "sort_name"],
                name="memberaudit_asset_parent_name",
            ),
            models.Index(fields=["character", "place"], name="memberaudit_asset_place"),
            # with what a search reads: a search counts the items it finds per type on this
            # index alone, in one pass, without reading a hundred thousand rows out of order
            models.Index(
                fields=["character", "eve_type", "place", "parent", "sort_name", "container_name"],
                name="memberaudit_asset_type_names",
            ),
            models.Index(fields=["character", "quantity"], name="memberaudit_asset_quantity"),
            models.Index(fields=["character", "sort_name"], name="memberaudit_asset_name"),
        ]

    def __str__(self) -> str:
        return f"{self.character}: {self.display_name}"

    @property
    def display_name(self) -> str:
        """The item's own name if it has one, else its type's name."""
        return self.name or (self.eve_type.name if self.eve_type_id else str(self.item_id))


class CharacterAssetPlace(models.Model):
    """How many items a character has at one place, counted when its assets are stored, so
    that the list of places and the totals of the assets tab need not count every item."""

    character = models.ForeignKey(
        Character,
        on_delete=models.CASCADE,
        related_name="asset_places",
        verbose_name=_("character"),
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="+", verbose_name=_("place")
    )
    items = models.PositiveIntegerField(
        default=0,
        verbose_name=_("items"),
        help_text=_("Items directly at the place (ships, containers and loose items)"),
    )
    all_items = models.PositiveIntegerField(
        default=0,
        verbose_name=_("all items"),
        help_text=_("Every item at the place, also those inside ships and containers"),
    )

    class Meta:
        default_permissions = ()
        verbose_name = _("character asset place")
        verbose_name_plural = _("character asset places")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "location"], name="memberaudit_asset_place_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.character}: {self.location_id}"
