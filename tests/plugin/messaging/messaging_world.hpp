// A small practice for messaging tests: a real plugin core (a store of each backend the executable
// runs: support/test_store.hpp; audit log, settings from the shipped schema, hooks, the
// conversation service) over an in-test host's data.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "audit/audit_log.hpp"
#include "common/error.hpp"
#include "config/plugin_config.hpp"
#include "hooks/hook_registry.hpp"
#include "host/host_client.hpp"
#include "messaging/conversation_service.hpp"
#include "settings/settings_schema.hpp"
#include "settings/settings_service.hpp"
#include "support/test_host.hpp"
#include "support/test_store.hpp"

namespace ehr::portal::test {

inline Principal staff(const std::string& id) {
  return Principal::staff(id);
}
inline Principal portal(const std::string& id) {
  return Principal::portal_user(id);
}

// Runs `call`, expecting it to be refused with `code` (and, for FORBIDDEN, `reason`).
inline Error refusal_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "the call was not refused";
  return Error(EHR_STATUS_OK, "not refused");
}

class MessagingWorld : public ::testing::TestWithParam<Backend> {
 protected:
  MessagingWorld() : client_(host_.table()), schema_(SettingsSchema::load_file(PORTAL_SETTINGS_SCHEMA)) {
    OrganizationInfo company;
    company.name = "Acme Health";
    company.is_master = true;
    host_.set_company(company);
    for (const char* id : {"north", "south"}) {
      OrganizationInfo location;
      location.location_id = id;
      location.name = std::string(id) + " clinic";
      host_.add_location(location);
    }
    host_.add_user("admin", "Ada Admin", true, {"manage_portal_settings"});
    host_.add_user("drlee", "Dr Lee", true, {"available_for_portal_messages"});
    host_.add_user("nurse1", "Nurse One", true, {"available_for_portal_messages"});
    host_.add_user("drkim", "Dr Kim", true, {"available_for_portal_messages"});
    host_.add_user("frontdesk", "Front Desk", true, {});
    host_.add_user("retired", "Dr Retired", false, {"available_for_portal_messages"});
    host_.add_patient("p1", "Pat One", "north", {"drlee", "nurse1", "frontdesk", "retired"});
    host_.add_patient("p2", "Pat Two", "north", {"drkim"});
    host_.add_patient("p3", "Pat Three", "south", {"drlee"});
    add_portal_user("pat1", "Pat One", PortalUserKind::patient, true, {"p1"});
    add_portal_user("mom1", "Mom One", PortalUserKind::guardian, true, {"p1", "p2"});
    add_portal_user("pat2", "Pat Two", PortalUserKind::patient, true, {"p2"});
    add_portal_user("gone", "Gone Away", PortalUserKind::guarantor, false, {"p1"});
    add_portal_user("pat3", "Pat Three", PortalUserKind::patient, true, {"p3"});
    open();
    save_general("on", "care_team_only");
  }
  ~MessagingWorld() override { close(); }

  void add_portal_user(const std::string& id, const std::string& name, PortalUserKind kind, bool active,
                       std::vector<std::string> charts) {
    PortalUserInfo info;
    info.id = id;
    info.display_name = name;
    info.first_name = name.substr(0, name.find(' '));
    info.kind = kind;
    info.active = active;
    host_.add_portal_user(info, std::move(charts));
  }

  // Opens (or reopens, as after a restart) the plugin core over the same data directory.
  void open() {
    close();
    db_.reopen();
    audit_ = std::make_unique<AuditLog>(*db_, client_);
    hooks_ = std::make_unique<HookRegistry>(client_);
    settings_ = std::make_unique<SettingsService>(schema_, *db_, client_, *audit_, *hooks_);
    service_ = std::make_unique<ConversationService>(*db_, client_, *settings_, *audit_, *hooks_, at_rest_);
  }
  void close() {
    service_.reset();
    settings_.reset();
    hooks_.reset();
    audit_.reset();
    db_.close();
  }

  void save_general(const std::string& my_messages, const std::string& audience) {
    (void)settings_->save_page("admin", "", {{"my_messages", my_messages}, {"audience", audience}});
  }
  void save_location(const std::string& location, const std::string& my_messages,
                     const std::string& audience) {
    (void)settings_->save_page("admin", location, {{"my_messages", my_messages}, {"audience", audience}});
  }

  ConversationService& service() { return *service_; }

  SentMessage staff_writes(const std::string& from, const std::string& patient,
                           const std::string& body = "Hello", std::vector<Principal> to = {}) {
    return service_->start_thread({staff(from), patient, std::move(to), "Visit follow-up", body});
  }
  SentMessage portal_writes(const std::string& from, const std::string& patient, const std::string& to,
                            const std::string& body = "Question") {
    return service_->start_thread({portal(from), patient, {staff(to)}, "A question", body});
  }
  InboxPage inbox(const Principal& reader, bool archived = false) {
    InboxRequest request;
    request.reader = reader;
    request.archived = archived;
    return service_->list_threads(request);
  }
  // The audit records of an action, oldest first.
  std::vector<AuditRecord> audited(const std::string& action) {
    std::vector<AuditRecord> found;
    for (AuditRecord& record : audit_->list()) {
      if (record.entry.action == action) found.push_back(std::move(record));
    }
    return found;
  }

  TestHost host_;
  HostClient client_;
  AtRest at_rest_{client_, PluginConfig{}};  // the test host's data key (R-SEC-2)
  SettingsSchema schema_;
  TestStore db_{GetParam()};
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<HookRegistry> hooks_;
  std::unique_ptr<SettingsService> settings_;
  std::unique_ptr<ConversationService> service_;
};

}  // namespace ehr::portal::test
