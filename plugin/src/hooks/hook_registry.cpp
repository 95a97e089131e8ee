#include "hooks/hook_registry.hpp"

#include <algorithm>
#include <exception>
#include <shared_mutex>
#include <string>

#include "common/error.hpp"
#include "host/host_client.hpp"

namespace ehr::portal {

namespace {

constexpr HookPointInfo kPoints[] = {
    {HookPoint::before_store, true, "before_store",
     "A message is about to be stored; return an error to reject it with a reason for the sender."},
    {HookPoint::after_store, false, "after_store", "A message was durably stored."},
    {HookPoint::on_read, false, "on_read", "A reader opened a thread."},
    {HookPoint::settings_changed, false, "settings_changed",
     "A Portal Settings page was saved or a location reset; one event per changed field."},
};

}  // namespace

struct HookRegistry::Entry {
  uint64_t id;
  HookPoint point;
  HookFunction function;
  std::shared_mutex running;  // shared while the hook runs; remove() takes it exclusively
  std::atomic<bool> removed{false};
};

namespace {
// The hooks running on this thread, so a hook that removes itself is not waited for.
thread_local std::vector<const void*> running_here;
}  // namespace

HookRegistry::HookRegistry(const HostClient& host) : host_(host) {}

HookRegistry::~HookRegistry() = default;

std::span<const HookPointInfo> HookRegistry::points() {
  return kPoints;
}

const HookPointInfo* HookRegistry::find_point(uint32_t point) {
  for (const auto& info : kPoints) {
    if (static_cast<uint32_t>(info.point) == point) return &info;
  }
  return nullptr;
}

uint64_t HookRegistry::add(HookPoint point, HookFunction function) {
  if (find_point(static_cast<uint32_t>(point)) == nullptr) {
    throw Error(EHR_STATUS_INVALID_ARGUMENT,
                "unknown hook point " + std::to_string(static_cast<uint32_t>(point)), "point");
  }
  if (!function) throw Error(EHR_STATUS_INVALID_ARGUMENT, "a hook needs a function", "fn");
  auto entry = std::make_shared<Entry>();
  entry->point = point;
  entry->function = std::move(function);
  std::lock_guard lock(mutex_);
  entry->id = next_id_++;
  entries_.push_back(entry);
  return entry->id;
}

void HookRegistry::remove(uint64_t hook_id) {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard lock(mutex_);
    auto it = std::find_if(entries_.begin(), entries_.end(), [&](const auto& e) { return e->id == hook_id; });
    if (it == entries_.end()) {
      throw Error(EHR_STATUS_NOT_FOUND, "no hook with id " + std::to_string(hook_id), "hook_id");
    }
    entry = *it;
    entries_.erase(it);
  }
  entry->removed = true;
  if (std::find(running_here.begin(), running_here.end(), entry.get()) != running_here.end()) return;
  std::unique_lock wait_for_running_calls(entry->running);
}

std::vector<std::shared_ptr<HookRegistry::Entry>> HookRegistry::snapshot(HookPoint point) const {
  std::vector<std::shared_ptr<Entry>> matching;
  std::lock_guard lock(mutex_);
  for (const auto& entry : entries_) {
    if (entry->point == point) matching.push_back(entry);
  }
  return matching;
}

HookVerdict HookRegistry::call(Entry& entry, const HookEvent& event) {
  std::shared_lock running(entry.running);
  if (entry.removed) return HookVerdict::accept();
  running_here.push_back(&entry);
  struct Pop {
    ~Pop() { running_here.pop_back(); }
  } pop;
  return entry.function(event);
}

std::optional<std::string> HookRegistry::run_before_store(const HookEvent& event) {
  for (const auto& entry : snapshot(HookPoint::before_store)) {
    HookVerdict verdict;
    try {
      verdict = call(*entry, event);
    } catch (...) {
      host_.log(LogLevel::warning,
                "before_store hook " + std::to_string(entry->id) + " failed; the message was not stored");
      return "an integrator's check (before_store hook " + std::to_string(entry->id) +
             ") failed, so the message was not stored";
    }
    if (!verdict.accepted) {
      return verdict.reason.empty() ? "rejected by before_store hook " + std::to_string(entry->id)
                                    : verdict.reason;
    }
  }
  return std::nullopt;
}

void HookRegistry::run(const HookEvent& event) {
  const HookPointInfo* info = find_point(static_cast<uint32_t>(event.point));
  for (const auto& entry : snapshot(event.point)) {
    bool failed = false;
    try {
      failed = !call(*entry, event).accepted;
    } catch (...) {
      failed = true;
    }
    if (failed) {
      try {
        host_.log(LogLevel::warning, std::string(info != nullptr ? info->name : "unknown") + " hook " +
                                         std::to_string(entry->id) + " failed; ignored");
      } catch (...) {
      }
    }
  }
}

}  // namespace ehr::portal
