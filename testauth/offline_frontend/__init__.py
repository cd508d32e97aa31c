"""Serve jQuery, Bootstrap and Font Awesome from local copies in the test Auth project.

Alliance Auth loads them from a CDN, which the development machines cannot reach. ``make
vendor`` installs them with npm into ``testauth/run/vendor``; the settings then add this app
(a Bootstrap theme without CDN links) and ``testauth/templates`` (the bundle templates).
Nothing here is part of Member Audit.
"""
