"""Models of Member Audit, one module per domain."""

from .general import General  # noqa: F401  isort: skip
from .api_tokens import *  # noqa: F401,F403
from .assets import *  # noqa: F401,F403
from .biography import *  # noqa: F401,F403
from .calendar import *  # noqa: F401,F403
from .character_sheet import *  # noqa: F401,F403
from .characters import *  # noqa: F401,F403
from .clones import *  # noqa: F401,F403
from .compliance import *  # noqa: F401,F403
from .contacts import *  # noqa: F401,F403
from .contracts import *  # noqa: F401,F403
from .data_exports import *  # noqa: F401,F403
from .events import *  # noqa: F401,F403
from .finances import *  # noqa: F401,F403
from .industry import *  # noqa: F401,F403
from .killmails import *  # noqa: F401,F403
from .locations import *  # noqa: F401,F403  # noqa: F401,F403
from .mails import *  # noqa: F401,F403  # noqa: F401,F403
from .market import *  # noqa: F401,F403
from .notifications import *  # noqa: F401,F403
from .planets import *  # noqa: F401,F403
from .sharing import *  # noqa: F401,F403
from .skill_sets import *  # noqa: F401,F403
from .skills import *  # noqa: F401,F403
from .whereabouts import *  # noqa: F401,F403
