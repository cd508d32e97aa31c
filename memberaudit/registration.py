"""Registering a character: from an SSO token to a ``Character`` queued for a full update."""

import logging

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from allianceauth.authentication.models import CharacterOwnership
from allianceauth.eveonline.models import EveCharacter
from esi.models import Token

from .compliance import queue_compliance_update
from .models import Character

logger = logging.getLogger(__name__)


class RegistrationError(Exception):
    """The character cannot be registered for this user; the message is for humans."""


def register_character(user: User, token: Token) -> tuple[Character, bool]:
    """Create or revive the ``Character`` of a token's EVE character for its owner.

    Returns the character and whether it was new. An orphaned or disabled character is
    enabled again with all its data. Queues a forced update of all sections at user priority.
    """
    from .tasks import update_character_now

    eve_character = EveCharacter.objects.filter(character_id=token.character_id).first()
    if eve_character is None:
        eve_character = EveCharacter.objects.create_character(token.character_id)
    ownership = CharacterOwnership.objects.filter(character=eve_character).first()
    if ownership is None or ownership.user_id != user.pk:
        raise RegistrationError(
            _("%(name)s is not owned by you in Auth: add it to your Auth account first.")
            % {"name": eve_character.character_name}
        )
    with transaction.atomic():
        character, created = Character.objects.get_or_create(eve_character=eve_character)
        if not created and character.is_disabled:
            Character.objects.filter(pk=character.pk).update(
                is_disabled=False, token_error_notified_at=None
            )
            character.is_disabled = False
            logger.info("%s registered again: enabled", character)
    transaction.on_commit(lambda: update_character_now(character))
    queue_compliance_update([user.pk])
    return character, created
