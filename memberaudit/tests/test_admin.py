import pytest

from django.contrib.admin.sites import site
from django.contrib.auth.models import Group, User
from django.urls import reverse

from memberaudit import access_log, tasks
from memberaudit.admin import CharacterAdmin
from memberaudit.admin.characters import SectionUpdateStatusInline
from memberaudit.managers import CharacterStatus
from memberaudit.models import (
    AccessLogEntry,
    Character,
    CharacterShare,
    Location,
    SectionUpdateStatus,
)
from memberaudit.sections import registry

from .factories import create_character, create_orphan_character, create_user, mark_sections
from .section_data import create_section_data, stored_rows

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:memberaudit_character_changelist")


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Render pages without the manifest that only ``collectstatic`` writes."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def admin_client(client):
    user = User.objects.create_superuser("boss", "boss@example.com", "secret")
    client.force_login(user)
    return client


@pytest.fixture
def queued(monkeypatch):
    """Record the tasks queued instead of running them."""
    calls = []

    def recorder(task_name):
        def apply_async(args=None, kwargs=None, **options):
            calls.append((task_name, kwargs, options))

        return apply_async

    monkeypatch.setattr(tasks.update_character, "apply_async", recorder("update_character"))
    monkeypatch.setattr(tasks.delete_character, "apply_async", recorder("delete_character"))
    return calls


def run_action(client, action: str, characters) -> str:
    response = client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [character.pk for character in characters]},
        follow=True,
    )
    assert response.status_code == 200
    return " ".join(str(message) for message in response.context["messages"])


# changelist


def test_should_render_changelist_of_20_characters_in_bounded_queries(
    admin_client, django_assert_max_num_queries
):
    for number in range(20):
        character = create_character()
        if number % 2:
            mark_sections(character)

    with django_assert_max_num_queries(10):
        response = admin_client.get(CHANGELIST)

    assert response.status_code == 200
    assert response.context["cl"].result_count == 20


def test_should_show_owner_main_corporation_status_and_last_update(admin_client):
    user = create_user("alice")
    main = create_character(user=user, character_name="Alice Main", is_main=True)
    alt = create_character(user=user, character_name="Alice Alt", corporation_name="Alt Corp")
    mark_sections(alt)

    response = admin_client.get(CHANGELIST)

    rows = {row.eve_character.character_name: row for row in response.context["cl"].result_list}
    assert rows["Alice Alt"].owner == user
    assert rows["Alice Alt"].total_status == CharacterStatus.OK
    assert rows["Alice Alt"].last_update_at is not None
    assert rows["Alice Main"].total_status == CharacterStatus.INCOMPLETE
    assert rows["Alice Main"].last_update_at is None
    content = response.content.decode()
    assert "Alt Corp" in content
    assert main.eve_character.character_name in content


def test_should_show_counts_per_total_status_in_filter(admin_client):
    for _ in range(3):
        mark_sections(create_character())
    mark_sections(create_character(), is_success=False, error_kind="esi")
    create_character()

    response = admin_client.get(CHANGELIST)

    content = response.content.decode()
    assert "ok (3)" in content
    assert "error (1)" in content
    assert "incomplete (1)" in content
    assert "disabled (0)" in content


def test_should_filter_by_total_status(admin_client):
    failing = create_character()
    mark_sections(failing, is_success=False, error_kind="esi")
    mark_sections(create_character())

    response = admin_client.get(CHANGELIST, {"total_status": CharacterStatus.ERROR})

    assert list(response.context["cl"].result_list) == [failing]


@pytest.mark.parametrize("value", ["bogus", "OK", "", "error'--"])
def test_should_ignore_an_unknown_total_status_in_the_filter(admin_client, value):
    failing = create_character()
    mark_sections(failing, is_success=False, error_kind="esi")
    working = create_character()
    mark_sections(working)

    response = admin_client.get(CHANGELIST, {"total_status": value})

    assert response.status_code == 200
    assert set(response.context["cl"].result_list) == {failing, working}


def test_should_search_by_character_name_and_owner(admin_client):
    wanted = create_character(user=create_user("carol"), character_name="Needle Pilot")
    create_character(character_name="Hay Pilot")

    by_name = admin_client.get(CHANGELIST, {"q": "needle"})
    by_owner = admin_client.get(CHANGELIST, {"q": "carol"})

    assert list(by_name.context["cl"].result_list) == [wanted]
    assert list(by_owner.context["cl"].result_list) == [wanted]


def test_should_list_orphans_without_owner(admin_client):
    orphan = create_orphan_character(character_name="Lost Soul")

    response = admin_client.get(CHANGELIST)

    assert list(response.context["cl"].result_list) == [orphan]


# actions


def test_should_offer_an_update_action_for_every_section(rf):
    request = rf.get(CHANGELIST)
    request.user = User.objects.create_superuser("root", "root@example.com", "secret")

    actions = CharacterAdmin(Character, site).get_actions(request)

    for name in registry.names():
        assert f"update_section_{name}" in actions
    assert "update_all_sections" in actions
    assert "delete_selected" not in actions  # would delete synchronously


def test_should_queue_forced_update_of_all_sections_at_user_priority(admin_client, queued):
    first, second, _ = create_character(), create_character(), create_character()

    message = run_action(admin_client, "update_all_sections", [first, second])

    assert sorted(kwargs["character_pk"] for _, kwargs, _ in queued) == [first.pk, second.pk]
    for name, kwargs, options in queued:
        assert name == "update_character"
        assert kwargs["force"] is True
        assert kwargs["sections"] is None
        assert options["priority"] == tasks.USER_TASK_PRIORITY
    assert "2 characters" in message


def test_should_queue_update_of_one_section(admin_client, queued):
    character = create_character()

    run_action(admin_client, "update_section_skills", [character])

    assert [(kwargs["character_pk"], kwargs["sections"]) for _, kwargs, _ in queued] == [
        (character.pk, ["skills"])
    ]
    assert queued[0][2]["priority"] == tasks.USER_TASK_PRIORITY


def test_should_disable_and_enable_characters(admin_client):
    character = create_character()

    run_action(admin_client, "disable_characters", [character])
    character.refresh_from_db()
    assert character.is_disabled

    run_action(admin_client, "enable_characters", [character])
    character.refresh_from_db()
    assert not character.is_disabled


def test_should_queue_deletion_and_say_so(admin_client, queued):
    character = create_character()

    message = run_action(admin_client, "delete_async", [character])

    assert [(name, kwargs) for name, kwargs, _ in queued] == [
        ("delete_character", {"character_pk": character.pk})
    ]
    assert "Queued the deletion of 1 characters" in message
    assert Character.objects.filter(pk=character.pk).exists()


def test_should_delete_character_with_its_data_in_task():
    character = create_character()
    create_section_data(character, journal_entries=1_200)
    other = create_character()
    create_section_data(other)
    rows_of_other = stored_rows(other)

    assert tasks.delete_character(character.pk) is True

    assert not Character.objects.filter(pk=character.pk).exists()
    assert not SectionUpdateStatus.objects.filter(character_id=character.pk).exists()
    assert stored_rows(other) == rows_of_other


def test_should_ignore_deletion_of_a_missing_character():
    assert tasks.delete_character(987_654) is False


# change page


def test_should_show_status_of_each_section_read_only(admin_client):
    character = create_character()
    mark_sections(character, esi_requests=7)
    character.update_status_set.filter(section="skills").update(
        is_success=False, error_kind="esi", error_message="ESI answered 502"
    )

    response = admin_client.get(reverse("admin:memberaudit_character_change", args=[character.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "ESI answered 502" in content
    for name in registry.names():
        assert name in content
    inline = response.context["inline_admin_formsets"][0]
    assert set(inline.readonly_fields) >= {"section_display", "is_success", "esi_requests"}
    assert not inline.has_add_permission
    assert not inline.has_delete_permission


def test_should_keep_eve_character_when_change_page_is_posted(admin_client):
    character = create_character()
    other = create_character()

    response = admin_client.post(
        reverse("admin:memberaudit_character_change", args=[character.pk]),
        {
            "eve_character": other.eve_character.pk,
            "update_status_set-TOTAL_FORMS": "0",
            "update_status_set-INITIAL_FORMS": "0",
            "shares-TOTAL_FORMS": "0",
            "shares-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    character.refresh_from_db()
    assert character.eve_character_id != other.eve_character_id


def test_should_not_offer_adding_or_deleting_characters_directly(admin_client):
    character = create_character()

    assert admin_client.get(reverse("admin:memberaudit_character_add")).status_code == 403
    response = admin_client.get(reverse("admin:memberaudit_character_delete", args=[character.pk]))
    assert response.status_code == 403


# locations


def test_should_list_locations_read_only_with_their_kind(admin_client):
    Location.objects.create(id=60_003_760, name="Jita IV - Moon 4")
    Location.objects.create(id=1_022_734_985_679, name="")

    response = admin_client.get(reverse("admin:memberaudit_location_changelist"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Jita IV - Moon 4" in content
    assert "structure" in content
    assert admin_client.get(reverse("admin:memberaudit_location_add")).status_code == 403


def test_should_filter_locations_by_kind(admin_client):
    Location.objects.create(id=60_003_760, name="Jita IV - Moon 4")
    structure = Location.objects.create(id=1_022_734_985_679, name="Fort")

    response = admin_client.get(
        reverse("admin:memberaudit_location_changelist"), {"kind": "structure"}
    )

    assert list(response.context["cl"].result_list) == [structure]


def test_should_search_locations_by_name_and_id(admin_client):
    station = Location.objects.create(id=60_003_760, name="Jita IV - Moon 4")
    Location.objects.create(id=60_008_494, name="Amarr VIII")

    by_name = admin_client.get(reverse("admin:memberaudit_location_changelist"), {"q": "jita"})
    by_id = admin_client.get(reverse("admin:memberaudit_location_changelist"), {"q": "60003760"})

    assert list(by_name.context["cl"].result_list) == [station]
    assert list(by_id.context["cl"].result_list) == [station]


# access


def test_should_send_non_staff_to_login(client):
    client.force_login(create_user())

    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert "login" in response.url


def test_should_refuse_staff_without_permissions(client):
    user = create_user()
    User.objects.filter(pk=user.pk).update(is_staff=True)
    client.force_login(user)

    assert client.get(CHANGELIST).status_code == 403


@pytest.mark.parametrize(
    "read_only_admin",
    [
        pytest.param(lambda: site.get_model_admin(AccessLogEntry), id="access log"),
        pytest.param(lambda: site.get_model_admin(Location), id="locations"),
        pytest.param(lambda: SectionUpdateStatusInline(Character, site), id="section status"),
    ],
)
def test_should_let_not_even_a_superuser_add_change_or_delete_read_only_records(
    rf, read_only_admin
):
    request = rf.get("/")
    request.user = User.objects.create_superuser("boss", "boss@example.com", "secret")
    model_admin = read_only_admin()

    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    for obj in (None, model_admin.model()):
        assert not model_admin.has_change_permission(request, obj)
        assert not model_admin.has_delete_permission(request, obj)


def test_should_label_status_rows_with_section_titles_not_ids(admin_client):
    character = create_character()
    mark_sections(character)

    response = admin_client.get(reverse("admin:memberaudit_character_change", args=[character.pk]))

    content = response.content.decode()
    labels = {str(form.original) for form in response.context["inline_admin_formsets"][0]}
    assert labels == {str(section.title).capitalize() for section in registry}
    for section in registry:
        assert f"{character.pk}-{section.name}" not in content
        assert f"{str(section.title).capitalize()} ({section.name})" in content


def test_should_label_share_rows_with_whom_the_character_is_shared(admin_client):
    character = create_character()
    recruiter = create_user("chosen_recruiter")
    CharacterShare.objects.create(character=character)
    CharacterShare.objects.create(character=character, user=recruiter)
    CharacterShare.objects.create(character=character, group=Group.objects.create(name="HR"))

    response = admin_client.get(reverse("admin:memberaudit_character_change", args=[character.pk]))

    labels = {str(form.original) for form in response.context["inline_admin_formsets"][1]}
    assert labels == {
        "Shared with all recruiters",
        "Shared with chosen_recruiter",
        "Shared with HR",
    }
    assert f"{character.pk}-all recruiters" not in response.content.decode()  # no raw ids


def test_should_show_sections_of_the_access_log_with_their_titles(admin_client):
    character = create_character()
    viewer = create_user()
    access_log.record(viewer, [character.pk], "wallet_journal", "alliance")
    access_log.record(viewer, [character.pk], access_log.OVERVIEW, "alliance")

    response = admin_client.get(reverse("admin:memberaudit_accesslogentry_changelist"))

    content = response.content.decode()
    title = str(registry.get("wallet_journal").title).capitalize()
    assert f"{title} (wallet_journal)" in content
    assert "Character overview (overview)" in content


def test_should_name_sections_with_their_titles_when_queueing(admin_client, queued):
    character = create_character()

    message = run_action(admin_client, "update_section_wallet_journal", [character])

    title = str(registry.get("wallet_journal").title).capitalize()
    assert f"{title} (wallet_journal)" in message
