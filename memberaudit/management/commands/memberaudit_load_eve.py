from eveuniverse import tasks as eveuniverse_tasks

from memberaudit.models.skill_sets import SHIP_CATEGORY_ID, SKILL_CATEGORY_ID
from memberaudit.skill_set_builder import REQUIRED_SKILL_ATTRIBUTES

from ..base import MemberAuditCommand

# Dogma attributes naming a type's required skills (primary to senary) and their levels.
REQUIRED_SKILL_ATTRIBUTE_IDS = tuple(REQUIRED_SKILL_ATTRIBUTES)
REQUIRED_SKILL_LEVEL_ATTRIBUTE_IDS = tuple(REQUIRED_SKILL_ATTRIBUTES.values())


class Command(MemberAuditCommand):
    help = (
        "Preload from ESI the EVE data Member Audit needs, so pages and skill checks do not "
        "wait for it: all skill types (category 16) and all ship types (category 6), with "
        "their dogma attributes, which name the skills a ship requires. Modules, charges and "
        "drones are not preloaded: the EFT import of skill sets loads those it meets from ESI. "
        "The loading runs as many Celery tasks of django-eveuniverse; this command only queues "
        "them. Needs running Celery workers and access to ESI."
    )

    def add_arguments(self, parser):
        self.add_noinput_argument(parser)

    def handle(self, *args, **options):
        self.stdout.write(
            "This will queue the loading of all skill types and all ship types with their "
            "dogma attributes from ESI. It starts thousands of Celery tasks."
        )
        if not self.confirm(options, "Do you want to go on?"):
            return
        for attribute_id in REQUIRED_SKILL_ATTRIBUTE_IDS + REQUIRED_SKILL_LEVEL_ATTRIBUTE_IDS:
            eveuniverse_tasks.load_eve_object.delay(model_name="EveDogmaAttribute", id=attribute_id)
        self.stdout.write(
            f"Queued {len(REQUIRED_SKILL_ATTRIBUTE_IDS) * 2} dogma attributes of required skills"
        )
        eveuniverse_tasks.load_eve_types.delay(
            category_ids=[SKILL_CATEGORY_ID, SHIP_CATEGORY_ID], force_loading_dogma=True
        )
        self.stdout.write("Queued skill types (category 16) and ship types (category 6)")
        self.stdout.write(
            self.style.SUCCESS(
                "Loading has started. Celery workers now fetch the data; follow the length "
                "of the task queue (e.g. on the Auth dashboard) to see when it is done."
            )
        )
