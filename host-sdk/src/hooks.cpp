#include "ehr/host/hooks.hpp"

#include <exception>

#include "c_abi.hpp"
#include "plugin_instance.hpp"

namespace ehr::host {

using detail::copy;

namespace detail {
// What the plugin gets as user_data: lives until the hook is removed or the plugin shut down.
struct HookSlot {
  HookFunction function;
  std::string plugin_id;
};
}  // namespace detail

namespace {

HookEvent from_c(const ehr_hook_event& in) {
  HookEvent out;
  out.point = static_cast<HookPoint>(in.point);
  out.actor = detail::from_c(in.actor);
  out.patient_id = copy(in.patient_id);
  out.thread_id = in.thread_id;
  out.message_id = in.message_id;
  out.subject = copy(in.subject);
  out.body = copy(in.body);
  out.location_id = copy(in.location_id);
  out.setting_key = copy(in.setting_key);
  out.old_value = copy(in.old_value);
  out.new_value = copy(in.new_value);
  return out;
}

// The C function the plugin calls; nothing the integrator's function throws gets past it.
ehr_status hook_trampoline(void* user_data, const ehr_hook_event* event, ehr_error** out_error) noexcept {
  if (user_data == nullptr) return EHR_STATUS_INVALID_ARGUMENT;
  const auto& slot = *static_cast<const detail::HookSlot*>(user_data);
  try {
    ehr_hook_event in;
    if (!detail::read_struct(event, EHR_STRUCT_HOOK_EVENT, EHR_SIZE_THROUGH(ehr_hook_event, new_value), in))
      return detail::report(Status::invalid_argument("event", "the plugin passed a malformed ehr_hook_event"),
                            out_error);
    Status status = slot.function(from_c(in));
    return detail::report(status, out_error);
  } catch (const std::exception& error) {
    return detail::report(Status::internal(std::string("an integrator hook threw: ") + error.what()),
                          out_error);
  } catch (...) {
    return detail::report(Status::internal("an integrator hook threw"), out_error);
  }
}

struct PointCollector {
  std::vector<HookPointInfo> points;
  Status problem;
};

ehr_status point_sink(void* ctx, const ehr_hook_point_info* info) noexcept {
  auto& collector = *static_cast<PointCollector*>(ctx);
  try {
    ehr_hook_point_info in;
    if (!detail::read_struct(info, EHR_STRUCT_HOOK_POINT_INFO,
                             EHR_SIZE_THROUGH(ehr_hook_point_info, description), in)) {
      collector.problem = Status::internal("the plugin sent a malformed ehr_hook_point_info");
      return EHR_STATUS_INVALID_ARGUMENT;
    }
    collector.points.push_back(HookPointInfo{static_cast<HookPoint>(in.point), in.can_reject != 0,
                                             copy(in.name), copy(in.description)});
    return EHR_STATUS_OK;
  } catch (...) {
    collector.problem = Status::internal("out of memory while reading hook points");
    return EHR_STATUS_INTERNAL;
  }
}

}  // namespace

HookRegistration::HookRegistration(std::shared_ptr<const detail::HooksBinding> binding,
                                   std::unique_ptr<detail::HookSlot> slot, std::uint64_t hook_id)
    : binding_(std::move(binding)), slot_(std::move(slot)), hook_id_(hook_id) {}

HookRegistration::HookRegistration(HookRegistration&& other) noexcept
    : binding_(std::move(other.binding_)), slot_(std::move(other.slot_)), hook_id_(other.hook_id_) {
  other.hook_id_ = 0;
}

HookRegistration& HookRegistration::operator=(HookRegistration&& other) noexcept {
  if (this != &other) {
    (void)remove();
    binding_ = std::move(other.binding_);
    slot_ = std::move(other.slot_);
    hook_id_ = other.hook_id_;
    other.hook_id_ = 0;
  }
  return *this;
}

HookRegistration::~HookRegistration() {
  (void)remove();
}

Status HookRegistration::remove() {
  if (!slot_) return Status();
  Status outcome;
  {
    detail::CallGuard guard(*binding_->instance, detail::Requires::loaded);
    // A plugin that was shut down released all its hooks: nothing can call the slot any more.
    if (guard) {
      detail::ErrorSlot error;
      const ehr_status code = binding_->api.remove_hook(binding_->handle, hook_id_, error.out());
      outcome = error.status(code);
    }
  }
  if (!outcome.is_ok()) {
    // The plugin may still call the slot: keeping it alive (a small leak) is the safe answer.
    (void)slot_.release();
  }
  slot_.reset();
  binding_.reset();
  hook_id_ = 0;
  return outcome;
}

Hooks::Hooks(std::shared_ptr<const detail::HooksBinding> binding) : binding_(std::move(binding)) {}

const std::string& Hooks::plugin_id() const {
  return binding_->instance->plugin_id;
}

Result<std::vector<HookPointInfo>> Hooks::list_points() const {
  detail::CallGuard guard(*binding_->instance, detail::Requires::loaded);
  if (!guard) return guard.status();
  PointCollector collector;
  detail::ErrorSlot error;
  const ehr_status code = binding_->api.list_points(binding_->handle, &collector, point_sink, error.out());
  if (!collector.problem.is_ok()) return collector.problem;
  if (code != EHR_STATUS_OK) return error.status(code);
  return std::move(collector.points);
}

Result<HookRegistration> Hooks::add(HookPoint point, HookFunction function) const {
  if (!function) return Status::invalid_argument("function", "a hook needs a function");
  detail::CallGuard guard(*binding_->instance, detail::Requires::loaded);
  if (!guard) return guard.status();
  auto slot = std::make_unique<detail::HookSlot>(detail::HookSlot{std::move(function), plugin_id()});
  std::uint64_t hook_id = 0;
  detail::ErrorSlot error;
  const ehr_status code = binding_->api.add_hook(binding_->handle, static_cast<ehr_hook_point>(point),
                                                 hook_trampoline, slot.get(), &hook_id, error.out());
  if (code != EHR_STATUS_OK) return error.status(code);
  return HookRegistration(binding_, std::move(slot), hook_id);
}

}  // namespace ehr::host
