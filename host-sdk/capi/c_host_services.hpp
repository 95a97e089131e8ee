// The host side of libehr_host.so: a HostServices and a UserDirectory that answer through the
// C tables a C, Python or PHP host hands over, and the dispatcher that, for hosts that cannot take
// a call on a foreign thread, runs every callback on the thread that made the API call.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "ehr/host/host_services.hpp"
#include "ehr/host/key_store.hpp"
#include "ehr/host/role_store.hpp"
#include "ehr/host_api.h"

namespace ehr::host::capi {

// EHR_HOST_CALLBACKS_CALLING_THREAD: each API call runs its body on a thread of its own while the
// calling thread waits, running the callbacks that body (or any plugin thread serving it) asks
// for. With EHR_HOST_CALLBACKS_ANY_THREAD it runs everything where it is asked.
class CallbackDispatcher {
 public:
  explicit CallbackDispatcher(bool calling_thread) : calling_thread_(calling_thread) {}
  CallbackDispatcher(const CallbackDispatcher&) = delete;
  CallbackDispatcher& operator=(const CallbackDispatcher&) = delete;

  // Runs an API call's body. CONFLICT when a callback of this host calls back into it in
  // calling-thread mode (the calling thread is busy running that callback).
  ehr_status call(const std::function<ehr_status()>& body, ehr_error** out_error);
  // Runs a host callback: here, or on the thread waiting in call().
  void callback(const std::function<void()>& function);

 private:
  struct Pending {
    const std::function<void()>* function;
    bool done = false;
  };
  const bool calling_thread_;
  std::mutex call_mutex_;  // calling-thread mode: one API call at a time
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Pending*> pending_;
  bool active_ = false;
  std::thread::id caller_;
};

// HostServices over a C ehr_host_services table (copied; its `host` context is borrowed).
class CHostServices final : public HostServices {
 public:
  // fallback_keys answers get_key when the table has none (NULL or a 1.0 table): libehr_host.so
  // hosts get the SDK's file-backed keys without a change. May be null when the table has get_key.
  CHostServices(const ehr_host_services& table, CallbackDispatcher& dispatcher,
                std::unique_ptr<KeyStore> fallback_keys);

  void log(LogLevel level, std::string_view message) override;
  std::int64_t now_unix_ms() override;
  Result<User> get_user(std::string_view user_id) override;
  Result<bool> user_has_role(std::string_view user_id, std::string_view role_id) override;
  Result<std::vector<User>> list_users_with_role(std::string_view role_id) override;
  Result<Patient> get_patient(std::string_view patient_id) override;
  Result<std::vector<std::string>> list_care_team(std::string_view patient_id) override;
  Result<PortalUser> get_portal_user(std::string_view portal_user_id) override;
  Result<std::vector<PortalUser>> list_patient_contacts(std::string_view patient_id) override;
  Result<std::vector<std::string>> list_contact_charts(std::string_view portal_user_id) override;
  Result<Organization> get_company() override;
  Result<std::vector<Organization>> list_locations() override;
  OptionalServices optional_services() const override;
  Status notify(const Notification& notification) override;
  Status audit(const AuditEvent& event) override;
  Result<Key> get_key(KeyPurpose purpose, std::uint32_t key_id) override;

 private:
  // Calls the C function through the dispatcher; a failing code becomes a Status naming it.
  Status invoke(const char* function, const std::function<ehr_status()>& call);
  ehr_host_services table_;
  CallbackDispatcher& dispatcher_;
  std::unique_ptr<KeyStore> fallback_keys_;
};

// A UserDirectory over a C ehr_host_user_directory (copied; its context is borrowed).
class CUserDirectory final : public UserDirectory {
 public:
  explicit CUserDirectory(const ehr_host_user_directory& table) : table_(table) {}
  Result<std::vector<User>> list_users() override;

 private:
  ehr_host_user_directory table_;
};

// Validates a services table: tag, size and every required function. Ok or INVALID_ARGUMENT
// naming the first thing missing.
Status check_services_table(const ehr_host_services* table, ehr_host_services& out);

}  // namespace ehr::host::capi
