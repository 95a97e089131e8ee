#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ehr/hooks.h"
#include "host/principal.hpp"

namespace ehr::portal {

class HostClient;

enum class HookPoint : uint32_t {
  before_store = EHR_HOOK_BEFORE_STORE,
  after_store = EHR_HOOK_AFTER_STORE,
  on_read = EHR_HOOK_ON_READ,
  settings_changed = EHR_HOOK_SETTINGS_CHANGED,
};

struct HookPointInfo {
  HookPoint point;
  bool can_reject;
  std::string_view name;
  std::string_view description;
};

// What a hook is told. Message hooks carry the body: PHI, for the integrator's eyes only, so
// nothing here is ever logged.
struct HookEvent {
  HookPoint point = HookPoint::after_store;
  Principal actor;
  std::string patient_id;
  int64_t thread_id = 0;
  int64_t message_id = 0;
  std::string subject;
  std::string body;
  std::string location_id;  // settings_changed: empty for General
  std::string setting_key;
  std::string old_value;
  std::string new_value;
};

struct HookVerdict {
  bool accepted = true;
  std::string reason;  // why a before_store hook rejected

  [[nodiscard]] static HookVerdict accept() { return {}; }
  [[nodiscard]] static HookVerdict reject(std::string reason) { return {false, std::move(reason)}; }
};

using HookFunction = std::function<HookVerdict(const HookEvent&)>;

// R-HOOK-1: integrators' code at four points. Hooks run outside the plugin's transactions, so a
// hook can never corrupt stored data; a failing or throwing hook is contained (and logged
// without PHI). Thread-safe: hooks may run on many threads while others are added or removed.
class HookRegistry {
 public:
  explicit HookRegistry(const HostClient& host);
  ~HookRegistry();
  HookRegistry(const HookRegistry&) = delete;
  HookRegistry& operator=(const HookRegistry&) = delete;

  [[nodiscard]] static std::span<const HookPointInfo> points();
  [[nodiscard]] static const HookPointInfo* find_point(uint32_t point);

  // Throws Error(EHR_STATUS_INVALID_ARGUMENT) for an unknown point or an empty function.
  uint64_t add(HookPoint point, HookFunction function);
  // After it returns the hook is not running and will not be called again (a hook removing
  // itself from inside its own call is not waited for). Throws Error(EHR_STATUS_NOT_FOUND).
  void remove(uint64_t hook_id);

  // Runs the before_store hooks in the order added; the first rejection wins and its reason is
  // returned. A hook that throws rejects too: an unchecked message is not stored.
  [[nodiscard]] std::optional<std::string> run_before_store(const HookEvent& event);
  // Runs the after_store, on_read or settings_changed hooks; failures are logged and ignored.
  void run(const HookEvent& event);

 private:
  struct Entry;
  std::vector<std::shared_ptr<Entry>> snapshot(HookPoint point) const;
  HookVerdict call(Entry& entry, const HookEvent& event);

  const HostClient& host_;
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<Entry>> entries_;
  uint64_t next_id_ = 1;
};

}  // namespace ehr::portal
