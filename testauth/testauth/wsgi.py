import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "testauth.settings.local")
application = get_wsgi_application()

# What the worker holds once the site is loaded (about 190,000 objects) lives as long as the
# worker: keep it out of the garbage collector's full collections, which would otherwise walk
# all of it in whichever request they land (see docs/operations.md).
gc.collect()
gc.freeze()
