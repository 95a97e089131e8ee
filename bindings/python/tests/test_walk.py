"""The help text's walk ("Patient Portal My Messages") through the Python package, on the real
plugin through libehr_host.so. Each test names the rule it checks (team spec numbering)."""
from __future__ import annotations

import threading

import pytest

import ehr_host
from conftest import PLUGINS
from ehr_host import HookPoint, Principal, PluginState

PLUGIN = "portal-messaging"
MARIA = Principal.portal("maria")


def start(manager: ehr_host.PluginManager, roles: ehr_host.RoleStore) -> None:
    """Enables the plugin, declares its roles, lets admin manage portal settings and turns My
    Messages on in General, with drlee and the nurse available for portal messages."""
    manager.discover()
    manager.enable(PLUGIN)
    roles.declare_plugin_roles(manager)
    roles.set("admin", "admin", "manage_portal_settings", True)
    roles.assign("admin", "available_for_portal_messages", ["drlee", "nurse"])
    manager.settings(PLUGIN).save("admin", {"my_messages": "on"})


def test_a_new_plugin_waits_disabled_until_the_admin_enables_it(manager):
    manager.discover()
    info = manager.info(PLUGIN)
    assert info.state is PluginState.DISABLED
    assert info.name and info.failure is None
    assert manager.verify(PLUGIN).ok
    manager.enable(PLUGIN)
    assert manager.info(PLUGIN).state is PluginState.ENABLED
    assert [p.id for p in manager.plugins()] == [PLUGIN]
    assert manager.channels() == [PLUGIN]


def test_an_unknown_plugin_is_refused_by_name(manager):
    manager.discover()
    with pytest.raises(ehr_host.NotFound) as refused:
        manager.enable("no-such-plugin")
    assert "no-such-plugin" in refused.value.message
    assert refused.value.status == 3 and refused.value.status_name == "not found"


def test_R_ROLE_1_the_plugin_declares_the_patient_portal_roles(manager):
    manager.discover()
    sections = manager.roles_sections()
    assert [s.title for s in sections] == ["Patient Portal roles"]
    assert {r.id for r in sections[0].roles} == {"manage_portal_settings", "available_for_portal_messages"}


def test_R_SET_1_R_SET_2_R_SET_6_general_settings_and_a_refused_save_naming_its_field(manager, roles):
    manager.discover()
    manager.enable(PLUGIN)
    roles.declare_plugin_roles(manager)
    roles.set("admin", "admin", "manage_portal_settings", True)
    settings = manager.settings(PLUGIN)
    with pytest.raises(ehr_host.Forbidden):
        settings.describe("drlee")
    page = settings.describe("admin")
    assert page.location_id == "" and page["my_messages"].value == "off"
    assert {c.value for c in page["audience"].choices} >= {"care_team_only", "selected_users"}

    with pytest.raises(ehr_host.InvalidArgument) as refused:
        settings.save("admin", {"my_messages": "on", "audience": "everyone"})
    assert refused.value.field == "audience"
    assert settings.describe("admin")["my_messages"].value == "off", "nothing of a refused page is saved"

    settings.save("admin", {"my_messages": "on", "audience": "care_team_only"})
    assert settings.effective()["my_messages"].value == "on"


def test_R_SET_3_R_SET_4_a_location_page_of_its_own_and_reset(manager, roles):
    start(manager, roles)
    settings = manager.settings(PLUGIN)
    assert settings.describe("admin", "north").follows_general
    settings.save("admin", {"audience": "selected_users"}, "north")
    north = settings.effective("north")
    assert north["audience"].value == "selected_users" and north["audience"].source_location_id == "north"
    assert north["my_messages"].value == "on", "fields not submitted keep their effective value"
    settings.reset("admin", "north")
    assert settings.describe("admin", "north").follows_general


def test_R_ROLE_3_R_ROLE_4_bulk_assign_is_atomic_idempotent_and_for_user_managers_only(manager, roles):
    manager.discover()
    roles.declare_plugin_roles(manager)
    assert roles.assign("admin", "available_for_portal_messages", ["drlee", "nurse"]) == 2
    assert roles.assign("admin", "available_for_portal_messages", ["drlee", "nurse"]) == 0
    with pytest.raises(ehr_host.NotFound):
        roles.assign("admin", "available_for_portal_messages", ["drpatel", "nobody"])
    assert not roles.has_role("drpatel", "available_for_portal_messages"), "all or nothing"
    with pytest.raises(ehr_host.Forbidden):
        roles.assign("drlee", "available_for_portal_messages", ["drpatel"])
    assert roles.unassign("admin", "available_for_portal_messages", ["nurse"]) == 1
    assert roles.members("available_for_portal_messages") == ["drlee"]
    assert [c.user_id for c in roles.changes() if c.actor_user_id == "admin"][-1] == "nurse"


def test_R_CONV_1_R_CONV_2_a_conversation_both_ways(manager, roles, practice):
    start(manager, roles)
    channel = manager.channel()
    sent = channel.start("drlee", "p01", "Hi Maria, your lab results are normal.", recipients=[MARIA],
                         subject="Your lab results")
    assert channel.unread(MARIA) == 1
    inbox = channel.list(MARIA)
    assert inbox.unread_total == 1 and inbox.threads[0].subject == "Your lab results"
    messages = channel.read(MARIA, sent.thread_id)
    assert [m.body for m in messages] == ["Hi Maria, your lab results are normal."]
    assert messages[0].sender == Principal.staff("drlee")
    assert channel.unread(MARIA) == 0

    channel.reply(MARIA, sent.thread_id, "Thank you, Dr. Lee!")
    assert channel.unread("drlee") == 1
    assert [m.body for m in channel.read("drlee", sent.thread_id)][-1] == "Thank you, Dr. Lee!"

    channel.archive(MARIA, sent.thread_id)
    assert channel.list(MARIA).threads == [] and len(channel.list(MARIA, archived=True).threads) == 1
    channel.unarchive(MARIA, sent.thread_id)
    assert len(channel.list(MARIA).threads) == 1


def test_R_MSG_3_a_portal_user_writes_to_the_staff_it_is_offered(manager, roles):
    start(manager, roles)
    channel = manager.channel()
    offered = {r.principal for r in channel.recipients(MARIA, "p01")}
    assert offered == {Principal.staff("drlee"), Principal.staff("nurse")}
    sent = channel.start(MARIA, "p01", "Should I keep taking vitamin D?", recipients=["nurse"])
    assert channel.unread("nurse") == 1 and sent.thread_id > 0


def test_R_MSG_5_refusals_say_why(manager, roles):
    start(manager, roles)
    channel = manager.channel()
    with pytest.raises(ehr_host.Forbidden) as refused:
        channel.start("drpatel", "p01", "Hello", recipients=[MARIA])
    assert refused.value.reason == "staff_lacks_role"
    assert "drpatel" in refused.value.message or "Dr. Patel" in refused.value.message

    with pytest.raises(ehr_host.Forbidden) as refused:
        channel.recipients("portal:hoa", "p01")
    assert refused.value.reason == "not_a_contact"

    decision = channel.explain("drpatel", "p01")
    assert not decision.allowed and decision.reason == "staff_lacks_role" and decision.explanation


def test_R_BRAND_1_R_BRAND_2_R_BRAND_4_branding_in_a_notification(manager, roles, practice):
    start(manager, roles)
    manager.settings(PLUGIN).save("admin", {"use_location_information": "on"}, "north")
    body = "Your potassium is 5.9 mmol/L."
    manager.channel().start("drlee", "p01", body, recipients=[MARIA])
    to_maria = [n for n in practice.notifications if n.recipient == MARIA]
    assert len(to_maria) == 1
    assert to_maria[0].kind == "new_message"
    assert to_maria[0].brand_name == "North Clinic", "North's alias, as Use Location Information is on"
    assert body not in to_maria[0].text and body not in to_maria[0].subject and body not in to_maria[0].html


def test_R_BRAND_2_a_portal_page_names_the_practice_of_the_chart(manager, roles):
    start(manager, roles)
    channel = manager.channel()
    company = channel.brand(MARIA, "p01")
    assert (company.name, company.phone, company.address, company.location_id) == \
        ("Riverbend Health", "555-0100", "1 River Road", "")
    manager.settings(PLUGIN).save("admin", {"use_location_information": "on"}, "north")
    assert channel.brand("drlee", "p01").name == "North Clinic"
    with pytest.raises(ehr_host.Forbidden) as refused:
        channel.brand("portal:hoa", "p01")
    assert refused.value.reason == "not_a_contact"


def test_R_CONV_6_a_covering_colleague_is_added_and_maria_sees_who_takes_part(manager, roles):
    start(manager, roles)
    channel = manager.channel()
    sent = channel.start("drlee", "p01", "Your results are in.", recipients=[MARIA])
    assert channel.add_participant("drlee", sent.thread_id, "nurse") is True
    assert channel.add_participant("drlee", sent.thread_id, "nurse") is False, "already on it: nothing changes"
    assert [m.body for m in channel.read("nurse", sent.thread_id)] == ["Your results are in."]
    assert {p.principal for p in channel.participants(MARIA, sent.thread_id)} == \
        {Principal.staff("drlee"), Principal.staff("nurse"), MARIA}
    with pytest.raises(ehr_host.Forbidden) as refused:
        channel.add_participant("drlee", sent.thread_id, "drpatel")
    assert refused.value.reason == "staff_lacks_role"


def test_R_HOOK_1_a_python_before_store_hook_rejects_with_its_reason(manager, roles):
    start(manager, roles)
    channel = manager.channel()
    seen: list[ehr_host.HookEvent] = []

    def no_card_numbers(event: ehr_host.HookEvent) -> None:
        seen.append(event)
        if sum(ch.isdigit() for ch in event.body) >= 12:
            raise ehr_host.Rejected("card numbers may not be sent through the portal", field="body")

    hooks = manager.hooks(PLUGIN)
    assert (HookPoint.BEFORE_STORE, "before_store", True) in hooks.points()
    with hooks.add(HookPoint.BEFORE_STORE, no_card_numbers):
        sent = channel.start("drlee", "p01", "Your bill is ready.", recipients=[MARIA])
        with pytest.raises(ehr_host.Rejected) as rejected:
            channel.reply(MARIA, sent.thread_id, "Can I pay with 4111 1111 1111 1111?")
        assert "card numbers" in rejected.value.message
        assert seen[-1].actor == MARIA and seen[-1].patient_id == "p01"
    channel.reply(MARIA, sent.thread_id, "Can I pay with 4111 1111 1111 1111?")  # the hook is gone
    assert [m.body for m in channel.read("drlee", sent.thread_id)][-1].startswith("Can I pay")


def test_R_AUD_1_every_access_is_audited_and_the_chain_verifies(manager, roles, practice):
    start(manager, roles)
    channel = manager.channel()
    sent = channel.start("drlee", "p01", "Hello Maria", recipients=[MARIA])
    channel.read(MARIA, sent.thread_id)
    audit = manager.audit(PLUGIN)
    verified = audit.verify()
    assert verified.ok and verified.first_bad_sequence == 0 and verified.records_checked >= 3
    actions = [e.action for e in audit.list("p01")]
    assert "message.send" in actions and "message.read" in actions
    assert {e.sequence for e in practice.audit_copies} >= {e.sequence for e in audit.list()}, "mirrored to the host"


def test_disabling_refuses_calls_and_shutdown_ends_everything(manager, roles):
    start(manager, roles)
    channel = manager.channel()
    manager.disable(PLUGIN)
    assert manager.info(PLUGIN).state is PluginState.DISABLED
    with pytest.raises(ehr_host.Disabled):
        channel.start("drlee", "p01", "Still there?", recipients=[MARIA])
    manager.settings(PLUGIN).describe("admin")  # an admin may still configure a disabled plugin
    manager.shutdown()
    assert manager.info(PLUGIN).state is PluginState.SHUT_DOWN
    with pytest.raises(ehr_host.EhrError):
        manager.channel().unread(MARIA)


def test_the_manager_is_a_context_manager_that_shuts_down(tmp_path, practice):
    with ehr_host.PluginManager(tmp_path / "missing", tmp_path, practice) as m:
        with pytest.raises(ehr_host.NotFound) as refused:
            m.discover()
        assert refused.value.field == "plugins_directory"
    with pytest.raises(ehr_host.Disabled):
        m.discover()


def test_callbacks_from_other_calls_threads_while_threads_call_the_channel(manager, roles, practice):
    """The GIL is released during each call, so host services that one sending thread answers for
    another's send (the plugin commits concurrent sends together, on one of their threads) cannot
    deadlock a thread that is waiting in a send."""
    start(manager, roles)
    channel = manager.channel()
    errors: list[BaseException] = []

    def send_many():
        try:
            for i in range(15):
                channel.start("drlee", "p01", f"Message {i}", recipients=[MARIA])
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    def read_many():
        try:
            for _ in range(15):
                channel.unread(MARIA)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=send_many), threading.Thread(target=send_many),
               threading.Thread(target=read_many)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "deadlock"
    assert errors == []
    assert channel.unread(MARIA) == 30
    callers = {t.ident for t in threads} | {threading.get_ident()}
    assert practice.threads_seen <= callers, "the plugin commits on its callers' threads, no thread of its own"


def test_callbacks_on_the_calling_thread_for_single_threaded_hosts(tmp_path, roles, practice):
    with ehr_host.PluginManager(PLUGINS, tmp_path, practice, callbacks_on_calling_thread=True) as m:
        start(m, roles)
        practice.threads_seen.clear()
        m.channel().start("drlee", "p01", "Hello", recipients=[MARIA])
        assert practice.threads_seen == {threading.get_ident()}

