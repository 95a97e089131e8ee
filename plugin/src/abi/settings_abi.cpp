// Adapts SettingsService to ehr_settings_api: reads what the host passes defensively, writes
// pages through the host's sink, and stops every exception at the boundary.
#include "abi/settings_abi.hpp"

#include <string>
#include <vector>

#include "abi/abi_error.hpp"
#include "abi/registration.hpp"
#include "common/error.hpp"
#include "ehr/abi_support/struct_io.hpp"
#include "settings/settings_service.hpp"

namespace ehr::portal::abi {

namespace {

SettingsService& service_of(ehr_settings* settings) {
  if (settings == nullptr || settings->service == nullptr) {
    throw Error(EHR_STATUS_INVALID_ARGUMENT, "no settings handle was given", "settings");
  }
  return *settings->service;
}

ehr_status describe_page(ehr_settings* settings, ehr_str actor_user_id, ehr_str location_id, void* sink_ctx,
                         const ehr_page_sink* sink, ehr_error** out_error) {
  return guarded(out_error, [&] {
    auto table =
        ehr::abi_support::copy_struct(sink, EHR_STRUCT_PAGE_SINK, EHR_SIZE_THROUGH(ehr_page_sink, on_field));
    if (!table || table->on_page == nullptr || table->on_field == nullptr) {
      throw Error(EHR_STATUS_INVALID_ARGUMENT, "describe_page needs a page sink with on_page and on_field",
                  "sink");
    }
    const SettingsPage page =
        service_of(settings).describe_page(to_string(actor_user_id), to_string(location_id));
    ehr_page_info info{};
    info.struct_type = EHR_STRUCT_PAGE_INFO;
    info.struct_size = sizeof info;
    info.page_id = view(page.page_id);
    info.title = view(page.title);
    info.location_id = view(page.location_id);
    info.required_role = view(page.required_role);
    info.follows_general = page.follows_general ? 1 : 0;
    info.field_count = static_cast<uint32_t>(page.fields.size());
    if (!sink_continues(table->on_page(sink_ctx, &info), "on_page")) return;
    for (const FieldValue& field : page.fields) {
      const FieldSpec& spec = *field.spec;
      std::vector<ehr_choice> choices;
      for (const Choice& choice : spec.choices) {
        choices.push_back({EHR_STRUCT_CHOICE, sizeof(ehr_choice), view(choice.value), view(choice.label)});
      }
      ehr_field_info c{};
      c.struct_type = EHR_STRUCT_FIELD_INFO;
      c.struct_size = sizeof c;
      c.section_id = view(field.section->id);
      c.section_title = view(field.section->title);
      c.key = view(spec.key);
      c.label = view(spec.label);
      c.help = view(spec.help);
      c.type = static_cast<ehr_field_type>(spec.type);
      c.choice_count = static_cast<uint32_t>(choices.size());
      c.choices = choices.empty() ? nullptr : choices.data();
      c.default_value = view(spec.default_value);
      c.value = view(field.value);
      c.min_value = spec.min;
      c.max_value = spec.max;
      if (!sink_continues(table->on_field(sink_ctx, &c), "on_field")) return;
    }
  });
}

ehr_status save_page(ehr_settings* settings, ehr_str actor_user_id, ehr_str location_id,
                     const ehr_setting_value* values, size_t value_count, ehr_error** out_error) {
  return guarded(out_error, [&] {
    if (value_count > 0 && values == nullptr) {
      throw Error(EHR_STATUS_INVALID_ARGUMENT, "save_page was given a count but no values", "values");
    }
    SubmittedValues submitted;
    const auto copies =
        copy_host_array(values, value_count, EHR_STRUCT_SETTING_VALUE,
                        EHR_SIZE_THROUGH(ehr_setting_value, value), "ehr_setting_value", "values");
    for (const ehr_setting_value& value : copies) {
      submitted.emplace_back(to_string(value.key), to_string(value.value));
    }
    service_of(settings).save_page(to_string(actor_user_id), to_string(location_id), submitted);
  });
}

ehr_status reset_location(ehr_settings* settings, ehr_str actor_user_id, ehr_str location_id,
                          ehr_error** out_error) {
  return guarded(out_error, [&] {
    service_of(settings).reset_location(to_string(actor_user_id), to_string(location_id));
  });
}

ehr_status effective(ehr_settings* settings, ehr_str location_id, void* sink_ctx, ehr_effective_sink_fn sink,
                     ehr_error** out_error) {
  return guarded(out_error, [&] {
    if (sink == nullptr) throw Error(EHR_STATUS_INVALID_ARGUMENT, "effective needs a sink", "sink");
    for (const EffectiveSetting& setting : service_of(settings).effective_settings(to_string(location_id))) {
      ehr_effective_setting c{};
      c.struct_type = EHR_STRUCT_EFFECTIVE_SETTING;
      c.struct_size = sizeof c;
      c.key = view(setting.key);
      c.value = view(setting.value);
      c.source_location_id = view(setting.source_location_id);
      c.from_default = setting.from_default ? 1 : 0;
      if (!sink_continues(sink(sink_ctx, &c), "effective sink")) return;
    }
  });
}

constexpr ehr_settings_api kSettingsApi = {
    EHR_STRUCT_SETTINGS_API, sizeof(ehr_settings_api),
    &describe_page,          &save_page,
    &reset_location,         &effective,
};

}  // namespace

const ehr_settings_api& settings_api() noexcept {
  return kSettingsApi;
}

void register_settings(const ehr_registrar& registrar, ehr_settings* handle) {
  if (registrar.register_settings == nullptr) {
    throw Error(EHR_STATUS_UNSUPPORTED, "the host cannot take settings pages (register_settings is missing)");
  }
  ehr_error* host_error = nullptr;
  const ehr_status status =
      registrar.register_settings(registrar.registrar, &kSettingsApi, handle, &host_error);
  check_registration(status, host_error, "the Portal Settings pages");
}

}  // namespace ehr::portal::abi
