#include "ehr/host/settings_pages.hpp"

#include <exception>

#include "c_abi.hpp"
#include "plugin_instance.hpp"

namespace ehr::host {

using detail::copy;
using detail::view;

const Field* Page::find(std::string_view key) const {
  for (const Field& field : fields)
    if (field.key == key) return &field;
  return nullptr;
}

SettingsPages::SettingsPages(std::shared_ptr<const detail::SettingsBinding> binding)
    : binding_(std::move(binding)) {}

const std::string& SettingsPages::plugin_id() const {
  return binding_->instance->plugin_id;
}

namespace {

struct PageCollector {
  Page page;
  bool got_page = false;
  Status problem;
};

ehr_status on_page(void* ctx, const ehr_page_info* info) noexcept {
  auto& collector = *static_cast<PageCollector*>(ctx);
  try {
    ehr_page_info in;
    if (!detail::read_struct(info, EHR_STRUCT_PAGE_INFO, EHR_SIZE_THROUGH(ehr_page_info, field_count), in)) {
      collector.problem = Status::internal("the plugin described a page with a malformed ehr_page_info");
      return EHR_STATUS_INVALID_ARGUMENT;
    }
    collector.page.info = PageInfo{copy(in.page_id), copy(in.title), copy(in.location_id),
                                   copy(in.required_role), in.follows_general != 0};
    collector.page.fields.reserve(in.field_count);
    collector.got_page = true;
    return EHR_STATUS_OK;
  } catch (...) {
    collector.problem = Status::internal("out of memory while reading a settings page");
    return EHR_STATUS_INTERNAL;
  }
}

ehr_status on_field(void* ctx, const ehr_field_info* info) noexcept {
  auto& collector = *static_cast<PageCollector*>(ctx);
  try {
    ehr_field_info in;
    if (!detail::read_struct(info, EHR_STRUCT_FIELD_INFO, EHR_SIZE_THROUGH(ehr_field_info, max_value), in)) {
      collector.problem = Status::internal("the plugin described a field with a malformed ehr_field_info");
      return EHR_STATUS_INVALID_ARGUMENT;
    }
    Field field;
    field.section_id = copy(in.section_id);
    field.section_title = copy(in.section_title);
    field.key = copy(in.key);
    field.label = copy(in.label);
    field.help = copy(in.help);
    field.type = static_cast<FieldType>(in.type);
    field.default_value = copy(in.default_value);
    field.value = copy(in.value);
    field.min_value = in.min_value;
    field.max_value = in.max_value;
    std::vector<ehr_choice> choices;
    std::size_t bad = 0;
    if (!detail::read_array(in.choices, in.choices != nullptr ? in.choice_count : 0, EHR_STRUCT_CHOICE,
                            EHR_SIZE_THROUGH(ehr_choice, label), choices, bad)) {
      collector.problem = Status::internal("the plugin described field " + field.key +
                                           " with a malformed choice (" + std::to_string(bad) + ")");
      return EHR_STATUS_INVALID_ARGUMENT;
    }
    for (const ehr_choice& choice : choices)
      field.choices.push_back(Choice{copy(choice.value), copy(choice.label)});
    collector.page.fields.push_back(std::move(field));
    return EHR_STATUS_OK;
  } catch (...) {
    collector.problem = Status::internal("out of memory while reading a settings page");
    return EHR_STATUS_INTERNAL;
  }
}

struct EffectiveCollector {
  std::vector<EffectiveSetting> settings;
  Status problem;
};

ehr_status on_effective(void* ctx, const ehr_effective_setting* setting) noexcept {
  auto& collector = *static_cast<EffectiveCollector*>(ctx);
  try {
    ehr_effective_setting in;
    if (!detail::read_struct(setting, EHR_STRUCT_EFFECTIVE_SETTING,
                             EHR_SIZE_THROUGH(ehr_effective_setting, from_default), in)) {
      collector.problem = Status::internal("the plugin sent a malformed ehr_effective_setting");
      return EHR_STATUS_INVALID_ARGUMENT;
    }
    collector.settings.push_back(
        EffectiveSetting{copy(in.key), copy(in.value), copy(in.source_location_id), in.from_default != 0});
    return EHR_STATUS_OK;
  } catch (...) {
    collector.problem = Status::internal("out of memory while reading effective settings");
    return EHR_STATUS_INTERNAL;
  }
}

}  // namespace

Result<Page> SettingsPages::describe_page(std::string_view actor_user_id,
                                          std::string_view location_id) const {
  detail::CallGuard guard(*binding_->instance, detail::Requires::loaded);
  if (!guard) return guard.status();
  PageCollector collector;
  auto sink = detail::make_struct<ehr_page_sink>(EHR_STRUCT_PAGE_SINK);
  sink.on_page = on_page;
  sink.on_field = on_field;
  detail::ErrorSlot error;
  const ehr_status code = binding_->api.describe_page(binding_->handle, view(actor_user_id),
                                                      view(location_id), &collector, &sink, error.out());
  if (!collector.problem.is_ok()) return collector.problem;
  if (code != EHR_STATUS_OK) return error.status(code);
  if (!collector.got_page)
    return Status::internal("plugin " + plugin_id() + " answered describe_page without a page");
  return std::move(collector.page);
}

Status SettingsPages::save_page(std::string_view actor_user_id, std::string_view location_id,
                                const std::vector<SettingValue>& values) const {
  detail::CallGuard guard(*binding_->instance, detail::Requires::loaded);
  if (!guard) return guard.status();
  std::vector<ehr_setting_value> c_values;
  c_values.reserve(values.size());
  for (const SettingValue& value : values) {
    auto c_value = detail::make_struct<ehr_setting_value>(EHR_STRUCT_SETTING_VALUE);
    c_value.key = view(value.key);
    c_value.value = view(value.value);
    c_values.push_back(c_value);
  }
  detail::ErrorSlot error;
  const ehr_status code = binding_->api.save_page(binding_->handle, view(actor_user_id), view(location_id),
                                                  c_values.data(), c_values.size(), error.out());
  return error.status(code);
}

Status SettingsPages::reset_location(std::string_view actor_user_id, std::string_view location_id) const {
  detail::CallGuard guard(*binding_->instance, detail::Requires::loaded);
  if (!guard) return guard.status();
  detail::ErrorSlot error;
  const ehr_status code =
      binding_->api.reset_location(binding_->handle, view(actor_user_id), view(location_id), error.out());
  return error.status(code);
}

Result<std::vector<EffectiveSetting>> SettingsPages::effective(std::string_view location_id) const {
  detail::CallGuard guard(*binding_->instance, detail::Requires::loaded);
  if (!guard) return guard.status();
  EffectiveCollector collector;
  detail::ErrorSlot error;
  const ehr_status code =
      binding_->api.effective(binding_->handle, view(location_id), &collector, on_effective, error.out());
  if (!collector.problem.is_ok()) return collector.problem;
  if (code != EHR_STATUS_OK) return error.status(code);
  return std::move(collector.settings);
}

}  // namespace ehr::host
