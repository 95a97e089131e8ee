// Hooks: the C++ wrapper over a plugin's hook points (ehr_hooks_api). An integrator adds a
// std::function; the returned HookRegistration removes it when destroyed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ehr/hooks.h"
#include "ehr/host/principal.hpp"
#include "ehr/host/status.hpp"

namespace ehr::host {

namespace detail {
struct HooksBinding;
struct HookSlot;
}  // namespace detail

enum class HookPoint : std::uint32_t {
  before_store = EHR_HOOK_BEFORE_STORE,  // may reject
  after_store = EHR_HOOK_AFTER_STORE,
  on_read = EHR_HOOK_ON_READ,
  settings_changed = EHR_HOOK_SETTINGS_CHANGED,
};

struct HookPointInfo {
  HookPoint point = HookPoint::before_store;
  bool can_reject = false;
  std::string name;  // e.g. "before_store"
  std::string description;
};

struct HookEvent {
  HookPoint point = HookPoint::before_store;
  Principal actor;
  std::string patient_id;       // message hooks
  std::int64_t thread_id = 0;   // message hooks; 0 before a new thread exists
  std::int64_t message_id = 0;  // after_store
  std::string subject;          // before/after store
  std::string body;             // before/after store: PHI, for the integrator's eyes only
  std::string location_id;      // settings_changed: empty for General
  std::string setting_key;      // settings_changed: one event per changed field
  std::string old_value;
  std::string new_value;
};

// Return Status::ok() to accept. A before_store hook rejects with any failed Status (its message
// reaches the sender as EHR_STATUS_REJECTED). An exception thrown by the function is caught at
// the boundary and counts as a failure. THREADING: may be called concurrently.
using HookFunction = std::function<Status(const HookEvent& event)>;

// Owns one added hook. Move-only; destroying it (or remove()) removes the hook, after which the
// function is not running and will not be called again. Safe to outlive the plugin.
class HookRegistration {
 public:
  HookRegistration() = default;
  HookRegistration(HookRegistration&&) noexcept;
  HookRegistration& operator=(HookRegistration&&) noexcept;
  HookRegistration(const HookRegistration&) = delete;
  HookRegistration& operator=(const HookRegistration&) = delete;
  ~HookRegistration();

  bool active() const noexcept { return slot_ != nullptr; }
  std::uint64_t id() const noexcept { return hook_id_; }
  Status remove();

 private:
  friend class Hooks;
  HookRegistration(std::shared_ptr<const detail::HooksBinding> binding,
                   std::unique_ptr<detail::HookSlot> slot, std::uint64_t hook_id);

  std::shared_ptr<const detail::HooksBinding> binding_;
  std::unique_ptr<detail::HookSlot> slot_;
  std::uint64_t hook_id_ = 0;
};

// A cheap, copyable handle. THREADING: any method may be called concurrently.
class Hooks {
 public:
  explicit Hooks(std::shared_ptr<const detail::HooksBinding> binding);

  const std::string& plugin_id() const;
  Result<std::vector<HookPointInfo>> list_points() const;
  Result<HookRegistration> add(HookPoint point, HookFunction function) const;

 private:
  std::shared_ptr<const detail::HooksBinding> binding_;
};

}  // namespace ehr::host
