"""The read API: the characters a token's user may open and each section's data, as JSON.

Callers send a personal token (:mod:`memberaudit.api_tokens`) as ``Authorization: Bearer
<token>``; its user needs ``basic_access`` and ``api_access``. Which characters they may open
is decided by :mod:`memberaudit.access`, exactly as for the pages, and a character they may
not open answers 404 like one that does not exist. Every read of another pilot's character
goes to the access log under ``api:<what>``. Each token may make
``MEMBERAUDIT_API_RATE_LIMIT`` calls a minute (:mod:`memberaudit.api_rate_limit`).

Sections are served from the section registry through :mod:`memberaudit.api_datasets`: no
endpoint names a section. The OpenAPI description and its interactive docs are at the API's
own URL.
"""

from datetime import datetime
from typing import Any

from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from . import access, access_log, api_tokens, query_params
from .api_datasets import section_datasets
from .api_rate_limit import TokenRateLimit
from .models import ApiToken, Character
from .sections import registry
from .tables import MAX_PAGE_LENGTH

NAMESPACE = "memberaudit_api"
DEFAULT_LIMIT = 100
# The character with its owner's main in one query, for the list and the summary.
CHARACTER_RELATIONS = ("eve_character__character_ownership__user__profile__main_character",)

query_params.register_id_converter()


class TokenAuth(HttpBearer):
    """A personal API token in the ``Authorization`` header; 401 without a valid one, 403 when
    its user may not use the API."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = api_tokens.authenticate(token)
        if found is None:
            return None
        user = found.user
        if not (user.has_perm(access.BASIC_ACCESS) and user.has_perm(access.API_ACCESS)):
            raise HttpError(403, _("This token's user may not use the API."))
        return found


api = NinjaAPI(
    title="Member Audit API",
    version="1",
    description=(
        "Read-only access to the characters you may open in Member Audit. Send a personal "
        "token from the app's API tokens page as `Authorization: Bearer <token>`."
    ),
    urls_namespace=NAMESPACE,
    auth=TokenAuth(),
    throttle=TokenRateLimit(),
    docs_url="/",
)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError):
    response = api.create_response(
        request, {"detail": _("A valid API token is required.")}, status=401
    )
    response["WWW-Authenticate"] = 'Bearer realm="memberaudit"'
    return response


@api.exception_handler(ValidationError)
def invalid_parameter(request: HttpRequest, exc: ValidationError):
    """400 with a short message, like the app's other JSON endpoints."""
    first = exc.errors[0] if exc.errors else {}
    where = str(first.get("loc", ("",))[-1])
    return api.create_response(
        request, {"error": f"{where}: {first.get('msg', _('invalid value'))}"}, status=400
    )


class Paging(Schema):
    offset: int = Field(0, ge=0, le=query_params.MAX_OFFSET, description="Rows to skip")
    limit: int = Field(
        DEFAULT_LIMIT, ge=1, le=MAX_PAGE_LENGTH, description="Rows in this page at most"
    )


class CharacterOut(Schema):
    id: int = Field(description="Member Audit's id of the character, used in the URLs")
    character_id: int = Field(description="EVE character id")
    name: str
    corporation_id: int
    corporation_name: str
    alliance_id: int | None
    alliance_name: str | None
    main_character_id: int | None = Field(description="EVE id of the owner's main")
    main_character_name: str | None
    is_disabled: bool
    url: str


class CharacterPage(Schema):
    count: int
    offset: int
    limit: int
    next: str | None
    results: list[CharacterOut]


class SectionOut(Schema):
    name: str
    title: str
    is_success: bool | None = Field(description="How the last update went; null: none yet")
    last_success_at: datetime | None
    finished_at: datetime | None
    error_kind: str
    datasets: dict[str, str] = Field(description="Dataset name to the URL of its rows")


class CharacterSummary(CharacterOut):
    sections: list[SectionOut]


class RowPage(Schema):
    section: str
    dataset: str
    count: int
    offset: int
    limit: int
    next: str | None
    results: list[dict[str, Any]]


@api.get("/characters/", response=CharacterPage, url_name="characters")
def list_characters(request: HttpRequest, paging: Query[Paging]):
    """The characters the token's user may open, by name."""
    user = request.auth.user
    queryset = (
        access.accessible_characters_with_reasons(user)
        .select_related(*CHARACTER_RELATIONS)
        .order_by("eve_character__character_name", "pk")
    )
    total = queryset.count()
    characters = list(queryset[paging.offset : paging.offset + paging.limit])
    access.log_listed_characters(
        user, characters, f"{access_log.API_PREFIX}{access_log.API_CHARACTER_LIST}"
    )
    return {
        **_page(request, paging, total),
        "results": [_character_out(character) for character in characters],
    }


@api.get("/characters/{id:character_pk}/", response=CharacterSummary, url_name="character")
def character_summary(request: HttpRequest, character_pk: int):
    """One character: who it is, and each section's last update and datasets."""
    character = access.get_character_or_404(
        request.auth.user,
        character_pk,
        f"{access_log.API_PREFIX}{access_log.OVERVIEW}",
        CHARACTER_RELATIONS,
    )
    statuses = {status.section: status for status in character.update_status_set.all()}
    sections = []
    for section in registry:
        status = statuses.get(section.name)
        sections.append(
            {
                "name": section.name,
                "title": str(section.title),
                "is_success": status.is_success if status else None,
                "last_success_at": status.last_success_at if status else None,
                "finished_at": status.finished_at if status else None,
                "error_kind": status.error_kind if status else "",
                "datasets": {
                    name: _dataset_url(character, section.name, name)
                    for name in section_datasets(section)
                },
            }
        )
    return {**_character_out(character), "sections": sections}


@api.get(
    "/characters/{id:character_pk}/sections/{slug:section}/{slug:dataset}/",
    response=RowPage,
    url_name="section_data",
)
def section_data(
    request: HttpRequest, character_pk: int, section: str, dataset: str, paging: Query[Paging]
):
    """One dataset of a section of a character, a page of rows at a time. The summary lists
    each section's datasets with their URLs."""
    if section not in registry:  # before the access check: the access log needs a section
        raise Http404
    build = section_datasets(registry.get(section)).get(dataset)
    if build is None:
        raise Http404
    character = access.get_character_or_404(
        request.auth.user, character_pk, f"{access_log.API_PREFIX}{section}"
    )
    page = build(character).page({"start": paging.offset, "length": paging.limit})
    return {
        "section": section,
        "dataset": dataset,
        **_page(request, paging, page["recordsTotal"]),
        "results": page["data"],
    }


def _page(request: HttpRequest, paging: Paging, total: int) -> dict:
    following = paging.offset + paging.limit
    next_url = None
    if following < total:
        next_url = request.build_absolute_uri(
            f"{request.path}?offset={following}&limit={paging.limit}"
        )
    return {"count": total, "offset": paging.offset, "limit": paging.limit, "next": next_url}


def _character_out(character: Character) -> dict:
    eve_character = character.eve_character
    main = _main_of(character)
    return {
        "id": character.pk,
        "character_id": eve_character.character_id,
        "name": eve_character.character_name,
        "corporation_id": eve_character.corporation_id,
        "corporation_name": eve_character.corporation_name,
        "alliance_id": eve_character.alliance_id or None,
        "alliance_name": eve_character.alliance_name or None,
        "main_character_id": main.character_id if main else None,
        "main_character_name": main.character_name if main else None,
        "is_disabled": character.is_disabled,
        "url": reverse(f"{NAMESPACE}:character", kwargs={"character_pk": character.pk}),
    }


def _main_of(character: Character):
    ownership = getattr(character.eve_character, "character_ownership", None)
    profile = getattr(ownership.user, "profile", None) if ownership else None
    return profile.main_character if profile else None


def _dataset_url(character: Character, section: str, dataset: str) -> str:
    return reverse(
        f"{NAMESPACE}:section_data",
        kwargs={"character_pk": character.pk, "section": section, "dataset": dataset},
    )
