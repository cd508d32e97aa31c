"""Models of Member Audit, one module per domain."""

from .general import General  # noqa: F401  isort: skip
from .assets import *  # noqa: F401,F403
from .biography import *  # noqa: F401,F403
from .characters import *  # noqa: F401,F403
from .clones import *  # noqa: F401,F403
from .contacts import *  # noqa: F401,F403
from .contracts import *  # noqa: F401,F403
from .finances import *  # noqa: F401,F403
from .locations import *  # noqa: F401,F403
from .mails import *  # noqa: F401,F403
from .skill_sets import *  # noqa: F401,F403
from .skills import *  # noqa: F401,F403
from .whereabouts import *  # noqa: F401,F403
