"""Forms that parse what pilots send: the share of a character."""

from django import forms
from django.contrib.auth.models import Group, Permission, User
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import access, app_settings

ALL_RECRUITERS = "all"
STANDARD_DAYS = (1, 7, 30)
UNTIL_REVOKED = 0


def share_durations() -> list[tuple[int, str]]:
    """The durations a pilot may choose, in days (0: until revoked), within the setting."""
    longest = app_settings.MEMBERAUDIT_SHARE_MAX_DAYS
    days = [day for day in STANDARD_DAYS if not longest or day <= longest]
    if longest and longest not in days:
        days.append(longest)
    choices = [
        (day, ngettext("%(days)d day", "%(days)d days", day) % {"days": day}) for day in days
    ]
    if not longest:
        choices.append((UNTIL_REVOKED, str(_("until revoked"))))
    return choices


def recruiters(owner: User):
    """Users a share may name: active users with finder access, the owner left out."""
    return (
        access.users_with_permission(access.FINDER_ACCESS)
        .exclude(pk=owner.pk)
        .select_related("profile__main_character")
        .order_by("username")
    )


def recruiter_groups():
    """Groups a share may name: those that grant finder access."""
    app_label, codename = access.FINDER_ACCESS.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return Group.objects.filter(permissions__in=permission).distinct().order_by("name")


def user_label(user: User) -> str:
    main = getattr(getattr(user, "profile", None), "main_character", None)
    return main.character_name if main else user.username


class ShareForm(forms.Form):
    """Whom a character is shared with (all recruiters, one recruiter, one group) and for how
    long. The choices are built for the owner; anything else is refused. Left out, they mean
    all recruiters for the longest time allowed."""

    audience = forms.ChoiceField(label=_("Share with"), required=False)
    days = forms.TypedChoiceField(label=_("For"), coerce=int, required=False, empty_value=None)

    def __init__(self, owner: User, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.fields["audience"].choices = self.audience_choices()
        self.fields["days"].choices = share_durations()

    def audience_choices(self) -> list:
        self.recruiter_choices = [
            (f"user:{user.pk}", user_label(user)) for user in recruiters(self.owner)
        ]
        self.group_choices = [(f"group:{group.pk}", group.name) for group in recruiter_groups()]
        choices = [(ALL_RECRUITERS, _("All recruiters"))]
        if self.recruiter_choices:
            choices.append((_("Recruiters"), self.recruiter_choices))
        if self.group_choices:
            choices.append((_("Groups"), self.group_choices))
        return choices

    def share_target(self) -> dict:
        """Keyword arguments for :func:`memberaudit.services.share_character`."""
        audience = self.cleaned_data["audience"] or ALL_RECRUITERS
        days = self.cleaned_data["days"]
        if days is None:
            days = app_settings.MEMBERAUDIT_SHARE_MAX_DAYS
        days = days or None
        if audience == ALL_RECRUITERS:
            return {"days": days}
        kind, pk = audience.split(":", 1)
        if kind == "user":
            return {"user": User.objects.get(pk=int(pk)), "days": days}
        return {"group": Group.objects.get(pk=int(pk)), "days": days}


class ApiTokenForm(forms.Form):
    """The name of a new personal API token: what it is for, so it can be told apart later."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        strip=True,
        help_text=_("What the token is for, e.g. the tool that will use it"),
    )
