// Adapts HookRegistry to ehr_hooks_api: an integrator's C function plus user data becomes a
// HookFunction; its error object is released through its own release function.
#include "abi/hooks_abi.hpp"

#include <string>

#include "abi/abi_error.hpp"
#include "abi/registration.hpp"
#include "common/error.hpp"
#include "hooks/hook_registry.hpp"

namespace ehr::portal::abi {

namespace {

HookRegistry& registry_of(ehr_hooks* hooks) {
  if (hooks == nullptr || hooks->registry == nullptr) {
    throw Error(EHR_STATUS_INVALID_ARGUMENT, "no hooks handle was given", "hooks");
  }
  return *hooks->registry;
}

ehr_principal to_c(const Principal& principal) {
  ehr_principal c{};
  c.struct_type = EHR_STRUCT_PRINCIPAL;
  c.struct_size = sizeof c;
  c.kind = static_cast<ehr_principal_kind>(principal.kind);
  c.id = view(principal.id);
  return c;
}

HookFunction wrap(ehr_hook_fn fn, void* user_data) {
  return [fn, user_data](const HookEvent& event) {
    ehr_hook_event c{};
    c.struct_type = EHR_STRUCT_HOOK_EVENT;
    c.struct_size = sizeof c;
    c.point = static_cast<ehr_hook_point>(event.point);
    c.actor = to_c(event.actor);
    c.patient_id = view(event.patient_id);
    c.thread_id = event.thread_id;
    c.message_id = event.message_id;
    c.subject = view(event.subject);
    c.body = view(event.body);
    c.location_id = view(event.location_id);
    c.setting_key = view(event.setting_key);
    c.old_value = view(event.old_value);
    c.new_value = view(event.new_value);
    ehr_error* hook_error = nullptr;
    const ehr_status status = fn(user_data, &c, &hook_error);
    std::string reason;
    if (hook_error != nullptr) {
      reason = to_string(hook_error->message);
      ehr_error_free(hook_error);
    }
    if (status == EHR_STATUS_OK) return HookVerdict::accept();
    return HookVerdict::reject(reason.empty() ? std::string("rejected by an integrator hook (") +
                                                    ehr_status_name(status) + ")"
                                              : reason);
  };
}

ehr_status list_points(ehr_hooks* hooks, void* sink_ctx,
                       ehr_status (*sink)(void*, const ehr_hook_point_info*), ehr_error** out_error) {
  return guarded(out_error, [&] {
    (void)registry_of(hooks);
    if (sink == nullptr) throw Error(EHR_STATUS_INVALID_ARGUMENT, "list_points needs a sink", "sink");
    for (const HookPointInfo& point : HookRegistry::points()) {
      ehr_hook_point_info c{};
      c.struct_type = EHR_STRUCT_HOOK_POINT_INFO;
      c.struct_size = sizeof c;
      c.point = static_cast<ehr_hook_point>(point.point);
      c.can_reject = point.can_reject ? 1 : 0;
      c.name = view(point.name);
      c.description = view(point.description);
      if (!sink_continues(sink(sink_ctx, &c), "hook point sink")) return;
    }
  });
}

ehr_status add_hook(ehr_hooks* hooks, ehr_hook_point point, ehr_hook_fn fn, void* user_data,
                    uint64_t* out_hook_id, ehr_error** out_error) {
  return guarded(out_error, [&] {
    if (fn == nullptr) throw Error(EHR_STATUS_INVALID_ARGUMENT, "add_hook needs a function", "fn");
    if (out_hook_id == nullptr)
      throw Error(EHR_STATUS_INVALID_ARGUMENT, "add_hook needs out_hook_id", "out_hook_id");
    if (HookRegistry::find_point(point) == nullptr) {
      throw Error(EHR_STATUS_INVALID_ARGUMENT, "unknown hook point " + std::to_string(point), "point");
    }
    *out_hook_id = registry_of(hooks).add(static_cast<HookPoint>(point), wrap(fn, user_data));
  });
}

ehr_status remove_hook(ehr_hooks* hooks, uint64_t hook_id, ehr_error** out_error) {
  return guarded(out_error, [&] { registry_of(hooks).remove(hook_id); });
}

constexpr ehr_hooks_api kHooksApi = {
    EHR_STRUCT_HOOKS_API, sizeof(ehr_hooks_api), &list_points, &add_hook, &remove_hook,
};

}  // namespace

const ehr_hooks_api& hooks_api() noexcept {
  return kHooksApi;
}

void register_hooks(const ehr_registrar& registrar, ehr_hooks* handle) {
  if (registrar.register_hooks == nullptr) return;
  ehr_error* host_error = nullptr;
  const ehr_status status = registrar.register_hooks(registrar.registrar, &kHooksApi, handle, &host_error);
  check_registration(status, host_error, "the hook points");
}

}  // namespace ehr::portal::abi
