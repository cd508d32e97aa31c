"""Member Audit: full access to EVE characters for auditing, vetting and monitoring."""

__version__ = "0.1.0"
__title__ = "Member Audit"
