// ehr-host settings ...: the plugin's settings pages (Portal Settings: General and Location
// Settings) rendered as a person sees them, and saved as a person submits them.
#include <iomanip>
#include <ostream>

#include "commands.hpp"

namespace ehr::sample::cli {

namespace host = ehr::host;

namespace {

// The page scope from --general / --location LOC: "" for General. A single instance has General
// only; an unknown location is refused by the host before the plugin is asked.
std::string page_scope(Context& context, CommandLine& args, bool location_required) {
  const bool general = args.flag("--general");
  const std::optional<std::string> location = args.option("--location");
  if (general && location) usage_error("give --general or --location LOC, not both\nusage: " + args.usage());
  if (location_required && !location) usage_error("--location LOC is required\nusage: " + args.usage());
  if (!location) return "";
  if (!context.host().practice().is_master()) {
    throw CommandError(
        kExitNotFound,
        "this is a single instance: it has General settings only, no location '" + *location + "'",
        "not found", "location");
  }
  (void)context.host().location(*location);
  return *location;
}

const host::Choice* chosen(const host::Field& field) {
  for (const host::Choice& choice : field.choices) {
    if (choice.value == field.value) return &choice;
  }
  return nullptr;
}

const char* type_name(host::FieldType type) {
  switch (type) {
    case host::FieldType::boolean:
      return "bool";
    case host::FieldType::choice:
      return "choice";
    case host::FieldType::string:
      return "string";
    case host::FieldType::integer:
      return "int";
    case host::FieldType::text:
      return "text";
  }
  return "?";
}

bool is_on(const std::string& value) {
  return value == "on" || value == "true";
}

std::string scope_name(Context& context, const std::string& location_id) {
  if (location_id.empty()) return "General";
  const Organization& location = context.host().location(location_id);
  return location.name + " (" + location.location_id + ")";
}

nlohmann::ordered_json page_json(const host::Page& page) {
  nlohmann::ordered_json fields = nlohmann::ordered_json::array();
  for (const host::Field& field : page.fields) {
    nlohmann::ordered_json choices = nlohmann::ordered_json::array();
    for (const host::Choice& choice : field.choices) {
      choices.push_back({{"value", choice.value}, {"label", choice.label}});
    }
    fields.push_back({{"section", field.section_id},
                      {"section_title", field.section_title},
                      {"key", field.key},
                      {"label", field.label},
                      {"help", field.help},
                      {"type", type_name(field.type)},
                      {"value", field.value},
                      {"default", field.default_value},
                      {"choices", choices}});
  }
  return {{"page", page.info.page_id},
          {"title", page.info.title},
          {"location", page.info.location_id},
          {"required_role", page.info.required_role},
          {"follows_general", page.info.follows_general},
          {"fields", fields}};
}

void render_page(Context& context, std::ostream& out, const host::Page& page) {
  out << page.info.title << '\n';
  if (!page.info.location_id.empty()) {
    out << "Location: " << scope_name(context, page.info.location_id) << " - "
        << (page.info.follows_general ? "follows General (no settings of its own)" : "has its own settings")
        << '\n';
  }
  std::string section;
  for (const host::Field& field : page.fields) {
    if (field.section_id != section) {
      section = field.section_id;
      out << "\n  " << (field.section_title.empty() ? field.section_id : field.section_title) << '\n';
    }
    out << "    " << std::left << std::setw(28) << field.label;
    switch (field.type) {
      case host::FieldType::boolean:
        out << toggle(is_on(field.value));
        break;
      case host::FieldType::choice: {
        const host::Choice* choice = chosen(field);
        out << "[" << (choice != nullptr ? choice->label : field.value) << " v]   choices:";
        for (std::size_t i = 0; i < field.choices.size(); ++i) {
          out << (i == 0 ? " " : " | ") << field.choices[i].label;
        }
        break;
      }
      default:
        if (field.value.find('\n') == std::string::npos) {
          out << "[" << field.value << "]";
        } else {
          // A multi-line text box: its lines under the label.
          out << "   key " << field.key << '\n';
          print_indented(out, field.value, "        | ");
          if (!field.help.empty()) out << "        " << field.help << '\n';
          continue;
        }
        break;
    }
    out << "   key " << field.key << '\n';
    if (!field.help.empty()) out << "        " << field.help << '\n';
  }
}

// A field's value in a few words: the choice's label, on/off, or the first line of a text.
std::string shown_value(const host::Field& field) {
  if (field.type == host::FieldType::choice) {
    const host::Choice* choice = chosen(field);
    return choice != nullptr ? choice->label : field.value;
  }
  const std::string first_line = field.value.substr(0, field.value.find('\n'));
  return first_line.size() < field.value.size() ? first_line + " ..." : first_line;
}

void show(Context& context, CommandLine& args) {
  const std::string actor = args.required_option("--as");
  const std::string scope = page_scope(context, args, false);
  args.no_positionals();
  (void)context.host().user(actor);
  const host::Page page = checked(context.host().settings_pages().describe_page(actor, scope));
  context.out().emit(page_json(page), [&](std::ostream& out) { render_page(context, out, page); });
}

void set(Context& context, CommandLine& args) {
  const std::string actor = args.required_option("--as");
  const std::string scope = page_scope(context, args, false);
  std::vector<host::SettingValue> values;
  for (const std::string& pair : args.positionals()) {
    const auto equals = pair.find('=');
    if (equals == std::string::npos || equals == 0) {
      usage_error("'" + pair + "' is not KEY=VALUE\nusage: " + args.usage());
    }
    values.push_back({pair.substr(0, equals), pair.substr(equals + 1)});
  }
  if (values.empty()) usage_error("give at least one KEY=VALUE\nusage: " + args.usage());
  (void)context.host().user(actor);
  const host::SettingsPages pages = context.host().settings_pages();
  // The page before saving, to tell the admin what the save changed (the plugin audits it too).
  const host::Page before = checked(pages.describe_page(actor, scope));
  if (const host::Status saved = pages.save_page(actor, scope, values); !saved) {
    // A misspelt key: the plugin names it, the page's keys say what was meant.
    std::vector<std::string> keys;
    for (const host::Field& field : before.fields) keys.push_back(field.key);
    const bool unknown_key = !saved.field().empty() && before.find(saved.field()) == nullptr;
    fail(saved, unknown_key ? did_you_mean(saved.field(), keys) : std::string());
  }
  const host::Page page = checked(pages.describe_page(actor, scope));
  context.out().emit(page_json(page), [&](std::ostream& out) {
    out << "Saved " << scope_name(context, scope);
    if (before.info.follows_general && !page.info.follows_general) out << ", which now has its own settings";
    out << ".\n";
    for (const host::Field& field : page.fields) {
      const host::Field* old = before.find(field.key);
      const std::string old_value = old != nullptr ? shown_value(*old) : "";
      if (old_value == shown_value(field)) continue;
      out << "  " << field.label << ": " << old_value << " -> " << shown_value(field) << '\n';
    }
  });
}

void reset(Context& context, CommandLine& args) {
  const std::string actor = args.required_option("--as");
  const std::string scope = page_scope(context, args, true);
  args.no_positionals();
  (void)context.host().user(actor);
  const host::SettingsPages pages = context.host().settings_pages();
  checked(pages.reset_location(actor, scope));
  const host::Page page = checked(pages.describe_page(actor, scope));
  context.out().emit(page_json(page), [&](std::ostream& out) {
    out << scope_name(context, scope) << " follows General again:";
    for (const host::Field& field : page.fields)
      out << "  " << field.label << " " << shown_value(field) << ';';
    out << '\n';
  });
}

std::string source_of(const host::EffectiveSetting& setting) {
  if (setting.from_default) return "default";
  if (setting.source_location_id.empty()) return "General";
  return "own settings";
}

void effective(Context& context, CommandLine& args) {
  const std::string actor = args.required_option("--as");
  args.no_positionals();
  (void)context.host().authorized(actor, "manage_portal_settings", "see the settings in force");
  const host::SettingsPages pages = context.host().settings_pages();
  std::vector<std::string> scopes = {""};
  for (const Organization& location : context.host().practice().locations())
    scopes.push_back(location.location_id);

  nlohmann::ordered_json data = nlohmann::ordered_json::array();
  std::vector<std::pair<std::string, std::vector<host::EffectiveSetting>>> all;
  for (const std::string& scope : scopes) {
    std::vector<host::EffectiveSetting> settings = checked(pages.effective(scope));
    nlohmann::ordered_json entries = nlohmann::ordered_json::array();
    for (const host::EffectiveSetting& setting : settings) {
      entries.push_back({{"key", setting.key},
                         {"value", setting.value},
                         {"source", source_of(setting)},
                         {"source_location", setting.source_location_id}});
    }
    data.push_back({{"location", scope}, {"settings", entries}});
    all.emplace_back(scope, std::move(settings));
  }
  context.out().emit({{"effective", data}}, [&](std::ostream& out) {
    out << "    " << std::left << std::setw(28) << "SETTING" << std::setw(18) << "COMES FROM"
        << "VALUE\n";
    for (const auto& [scope, settings] : all) {
      out << scope_name(context, scope) << '\n';
      for (const host::EffectiveSetting& setting : settings) {
        // Long texts (notification templates) in a few words; --json has them whole.
        std::string value = setting.value.substr(0, setting.value.find('\n'));
        if (value.size() > 40) value = value.substr(0, 37) + "...";
        if (value.size() < setting.value.size() && !value.ends_with("...")) value += " ...";
        out << "    " << std::left << std::setw(28) << setting.key << std::setw(18) << source_of(setting)
            << value << '\n';
      }
    }
  });
}

}  // namespace

const CommandGroup& settings_commands() {
  static const CommandGroup group{
      "settings",
      "Portal Settings pages: General and Location Settings",
      {
          {"show", "settings show --as USER [--general | --location LOC]",
           "The page as USER sees it: toggles, drop-downs with the chosen option, and whether a location "
           "follows General. Only holders of the page's role (manage_portal_settings) may open it.",
           show},
          {"set", "settings set --as USER [--general | --location LOC] KEY=VALUE...",
           "Saves the page with the values given (booleans as on/off), all or nothing. Saving a location "
           "page gives the location its own settings, which then win over General.",
           set},
          {"reset", "settings reset --as USER --location LOC",
           "Drops the location's own settings so that it follows General again.", reset},
          {"effective", "settings effective --as USER",
           "The settings in force for General and for each location, and where each value comes from. "
           "Only holders of manage_portal_settings may see them.",
           effective},
      }};
  return group;
}

}  // namespace ehr::sample::cli
