"""The share form offers only durations within ``MEMBERAUDIT_SHARE_MAX_DAYS``."""

from hypothesis import given
from hypothesis import strategies as st

from django.test import override_settings

from memberaudit.forms import UNTIL_REVOKED, share_durations


@given(longest=st.integers(min_value=0, max_value=3650))
def test_should_offer_no_duration_beyond_the_longest_allowed(longest):
    with override_settings(MEMBERAUDIT_SHARE_MAX_DAYS=longest):
        days = [value for value, _ in share_durations()]

    if longest == 0:
        assert days == [1, 7, 30, UNTIL_REVOKED]
    else:
        assert UNTIL_REVOKED not in days
        assert max(days) == longest
        assert all(0 < day <= longest for day in days)
        standard = [day for day in (1, 7, 30) if day <= longest]
        assert days[: len(standard)] == standard  # the usual choices first, in order
