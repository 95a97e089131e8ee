// The staff console: Settings (the plugins' registered settings pages), Manage Users, Assign
// Roles, Plugins, Messages and Audit. Labels, fields, choices and help come from the plugins'
// registrations through the SDK; nothing here knows what the plugin is about (R-WEB-1).
#include <algorithm>
#include <set>

#include "web_app.hpp"

namespace ehr::sample::web {

namespace host = ehr::host;

namespace {

std::string location_name(cli::SampleHost& host, const std::string& location_id) {
  if (location_id.empty()) return "General";
  return host.location(location_id).name;
}

// The page's fields grouped in their sections; `typed` (a refused save) replaces the stored values
// and `error` names the field the plugin refused.
Json page_json(cli::SampleHost& host, const host::Page& page, const std::map<std::string, std::string>* typed,
               const Json& error) {
  Json sections = Json::array();
  for (const host::Field& field : page.fields) {
    if (sections.empty() || sections.back()["id"] != field.section_id) {
      sections.push_back({{"id", field.section_id},
                          {"title", field.section_title.empty() ? field.section_id : field.section_title},
                          {"fields", Json::array()}});
    }
    std::string value = field.value;
    if (typed != nullptr) {
      const auto found = typed->find(field.key);
      if (found != typed->end()) value = found->second;
    }
    Json choices = Json::array();
    for (const host::Choice& choice : field.choices) {
      choices.push_back(
          {{"value", choice.value}, {"label", choice.label}, {"selected", choice.value == value}});
    }
    const bool refused = error.is_object() && error.value("field", "") == field.key;
    sections.back()["fields"].push_back({{"key", field.key},
                                         {"label", field.label},
                                         {"help", field.help},
                                         {"has_help", !field.help.empty()},
                                         {"value", value},
                                         {"default", field.default_value},
                                         {"is_bool", field.type == host::FieldType::boolean},
                                         {"on", value == "on" || value == "true"},
                                         {"is_choice", field.type == host::FieldType::choice},
                                         {"is_text", field.type == host::FieldType::text},
                                         {"is_line", field.type == host::FieldType::string},
                                         {"is_int", field.type == host::FieldType::integer},
                                         {"min", field.min_value},
                                         {"max", field.max_value},
                                         {"choices", choices},
                                         {"refused", refused},
                                         {"error", refused ? error.value("message", "") : ""}});
  }
  const bool is_location = !page.info.location_id.empty();
  return {{"page_id", page.info.page_id},
          {"title", page.info.title},
          {"location_id", page.info.location_id},
          {"location_name", location_name(host, page.info.location_id)},
          {"is_location", is_location},
          {"follows_general", page.info.follows_general},
          {"own_settings", is_location && !page.info.follows_general},
          {"required_role", page.info.required_role},
          {"action", is_location ? "/settings/locations/" + page.info.location_id : "/settings"},
          {"sections", sections}};
}

Json settings_view(cli::SampleHost& host, const std::string& actor, const std::string& location_id,
                   const std::map<std::string, std::string>* typed = nullptr, const Json& error = nullptr) {
  const host::SettingsPages pages = host.settings_pages();
  const host::Page page = need(pages.describe_page(actor, location_id));
  Json model = {
      {"title", page.info.title + (location_id.empty() ? "" : " - " + location_name(host, location_id))},
      {"page", page_json(host, page, typed, error)}};
  if (error.is_object()) model["error"] = error;
  if (location_id.empty()) {
    Json locations = Json::array();
    for (const Organization& location : host.practice().locations()) {
      const host::Page location_page = need(pages.describe_page(actor, location.location_id));
      locations.push_back({{"id", location.location_id},
                           {"name", location.name},
                           {"follows_general", location_page.info.follows_general}});
    }
    model["locations"] = locations;
    model["has_locations"] = !locations.empty();
  }
  return model;
}

// After a save or a reset redirected here.
void add_notice(Json& model, const Request& request) {
  const std::string saved = request.param("saved");
  if (saved == "1") model["notice"] = "Saved.";
  if (saved == "reset") model["notice"] = "Reset: this location follows General again.";
  model["has_notice"] = model.contains("notice");
}

// The values of a submitted settings page, field by field as the page describes them: an
// unchecked box is absent from a form, so every boolean of the page is read as on or off.
std::map<std::string, std::string> submitted(const Request& request, const host::Page& page) {
  std::map<std::string, std::string> values;
  for (const host::Field& field : page.fields) {
    if (field.type == host::FieldType::boolean) {
      const std::string value = request.param(field.key);
      values[field.key] = request.has(field.key) && value != "off" && value != "false" ? "on" : "off";
    } else if (request.has(field.key)) {
      values[field.key] = request.param(field.key);
    }
  }
  return values;
}

Reply settings_post(WebApp& app, Request& request, const std::string& location_id) {
  cli::SampleHost& host = app.host();
  const std::string& actor = request.who().id;
  const host::SettingsPages pages = host.settings_pages();
  const std::string back = location_id.empty() ? "/settings" : "/settings/locations/" + location_id;
  if (request.param("action") == "reset") {
    need(pages.reset_location(actor, location_id));
    return see_other(back + "?saved=reset", settings_view(host, actor, location_id));
  }
  const host::Page current = need(pages.describe_page(actor, location_id));
  const std::map<std::string, std::string> values = submitted(request, current);
  std::vector<host::SettingValue> list;
  for (const auto& [key, value] : values) list.push_back({key, value});
  if (const host::Status status = pages.save_page(actor, location_id, list); !status) {
    if (request.api) refuse(status);
    // Shown again as typed, with the plugin's words next to the field; nothing was stored.
    return page("settings", settings_view(host, actor, location_id, &values, error_json(status)),
                http_status_of(status));
  }
  return see_other(back + "?saved=1", settings_view(host, actor, location_id));
}

void require_role(cli::SampleHost& host, const std::string& actor, std::string_view role,
                  const char* page_name) {
  if (!need(host.roles().has_role(actor, role))) {
    refuse(403, "forbidden",
           std::string(page_name) + " needs the " + std::string(role) + " role; ask an administrator.");
  }
}

std::string role_label(cli::SampleHost& host, const std::string& role_id) {
  for (const cli::RoleSectionView& section : host.role_sections()) {
    for (const host::RoleDescriptor& role : section.roles)
      if (role.id == role_id) return role.label;
  }
  return role_id;
}

Json user_view(cli::SampleHost& host, const std::string& id) {
  const StaffUser& user = host.user(id);
  const std::vector<std::string> held = need(host.roles().roles_of(id));
  Json sections = Json::array();
  for (const cli::RoleSectionView& section : host.role_sections()) {
    Json roles = Json::array();
    for (const host::RoleDescriptor& role : section.roles) {
      roles.push_back({{"id", role.id},
                       {"label", role.label},
                       {"description", role.description},
                       {"assigned", std::find(held.begin(), held.end(), role.id) != held.end()}});
    }
    sections.push_back({{"title", section.title}, {"plugin", section.plugin_id}, {"roles", roles}});
  }
  return {{"title", "Edit user - " + user.name},
          {"user", {{"id", user.id}, {"name", user.name}, {"active", user.active}}},
          {"sections", sections}};
}

Json assign_view(cli::SampleHost& host, const std::string& chosen_role,
                 const std::set<std::string>& selected) {
  Json roles = Json::array();
  std::string role = chosen_role;
  for (const cli::RoleSectionView& section : host.role_sections()) {
    for (const host::RoleDescriptor& descriptor : section.roles) {
      if (role.empty()) role = descriptor.id;
      roles.push_back({{"id", descriptor.id},
                       {"label", descriptor.label},
                       {"section", section.title},
                       {"selected", descriptor.id == role}});
    }
  }
  std::set<std::string> members;
  if (!role.empty()) {
    for (const std::string& id : need(host.roles().members(role))) members.insert(id);
  }
  Json users = Json::array();
  for (const StaffUser& user : host.practice().users()) {
    if (!user.active) continue;
    users.push_back({{"id", user.id},
                     {"name", user.name},
                     {"has_role", members.contains(user.id)},
                     {"selected", selected.contains(user.id)}});
  }
  return {{"title", "Assign Roles"}, {"role", role}, {"roles", roles}, {"users", users}};
}

Json plugin_json(const host::PluginInfo& plugin) {
  const bool failed = plugin.state == host::PluginState::failed;
  return {
      {"id", plugin.id},
      {"name", plugin.manifest ? plugin.manifest->name : plugin.id},
      {"version", plugin.manifest ? plugin.manifest->version : ""},
      {"vendor", plugin.manifest ? plugin.manifest->vendor : ""},
      {"state", host::to_string(plugin.state)},
      {"enabled", plugin.enabled_preference},
      {"failed", failed},
      {"cause", failed ? host::to_string(plugin.failure_cause) : ""},
      {"message", failed ? plugin.failure.message() : ""},
      {"can_enable", plugin.state == host::PluginState::disabled || (failed && !plugin.enabled_preference)},
      {"can_disable", plugin.state == host::PluginState::enabled}};
}

Json plugins_view(cli::SampleHost& host) {
  Json plugins = Json::array();
  for (const host::PluginInfo& plugin : host.plugins().list()) plugins.push_back(plugin_json(plugin));
  return {{"title", "Plugins"}, {"plugins", plugins}, {"has_plugins", !plugins.empty()}};
}

Json patients_json(cli::SampleHost& host, const std::string& chosen) {
  Json patients = Json::array();
  for (const Patient& patient : host.practice().patients()) {
    patients.push_back({{"id", patient.id}, {"name", patient.name}, {"selected", patient.id == chosen}});
  }
  return patients;
}

Json compose_view(cli::SampleHost& host, const std::string& staff, const std::string& patient_id) {
  Json model = {
      {"title", "New message"}, {"patients", patients_json(host, patient_id)}, {"patient_id", patient_id}};
  if (patient_id.empty()) return model;
  const Patient& patient = host.patient(patient_id);
  model["patient"] = patient.name;
  const host::Decision staff_side = need(host.channel().explain({staff, "", patient_id}));
  model["allowed"] = staff_side.allowed;
  model["explanation"] = staff_side.explanation;
  model["reason"] = cli::deny_reason_name(staff_side.reason);
  Json contacts = Json::array();
  bool any = false;
  for (const PortalUser* user : host.practice().contacts_of(patient_id)) {
    const host::Decision decision = need(host.channel().explain({staff, user->id, patient_id}));
    any = any || decision.allowed;
    contacts.push_back({{"id", user->id},
                        {"name", user->name},
                        {"kind", to_string(user->kind)},
                        {"allowed", decision.allowed},
                        {"explanation", decision.explanation},
                        {"reason", cli::deny_reason_name(decision.reason)}});
  }
  model["contacts"] = contacts;
  model["has_contacts"] = !contacts.empty();
  model["can_send"] = staff_side.allowed && any;
  return model;
}

Json audit_view(cli::SampleHost& host, const Request& request) {
  const std::string actor = request.param("actor");
  const std::string patient = request.param("patient");
  const std::string action = request.param("action");
  const host::AuditLog log = host.audit_log();
  const host::AuditVerification check = need(log.verify());
  const std::vector<host::AuditEvent> events = need(log.list(patient));
  Json records = Json::array();
  std::set<std::string> actions;
  for (auto event = events.rbegin(); event != events.rend(); ++event) {
    actions.insert(event->action);
    const std::string who = cli::principal_text(event->actor);
    if (!actor.empty() && who != actor) continue;
    if (!action.empty() && event->action != action) continue;
    records.push_back({{"sequence", event->sequence},
                       {"at", display_time(event->at_unix_ms)},
                       {"actor", who},
                       {"action", event->action},
                       {"patient", event->patient_id},
                       {"target", event->target},
                       {"outcome", event->outcome},
                       {"detail", event->detail}});
  }
  Json action_choices = Json::array();
  for (const std::string& name : actions)
    action_choices.push_back({{"value", name}, {"selected", name == action}});
  return {{"title", "Audit"},
          {"verify",
           {{"ok", check.ok},
            {"records_checked", check.records_checked},
            {"first_bad_sequence", check.first_bad_sequence}}},
          {"filter", {{"actor", actor}, {"patient", patient}, {"action", action}}},
          {"actions", action_choices},
          {"records", records},
          {"record_count", records.size()}};
}

// A staff member's view of a thread: the messages, who takes part and the colleagues who could
// be brought in (active staff not yet on it; the plugin decides on Add whether they may).
Json staff_thread_view(cli::SampleHost& host, const host::Principal& reader, std::int64_t id,
                       const std::string& chosen = {}) {
  Json model = thread_json(host, reader, id);
  model["title"] = model["subject"];
  model["base"] = "/messages";
  if (!model.contains("participants")) return model;
  std::set<std::string> present;
  for (const Json& who : model["participants"]) present.insert(who["principal"].get<std::string>());
  Json colleagues = Json::array();
  for (const StaffUser& user : host.practice().users()) {
    if (!user.active || present.count(cli::principal_text(host::Principal::staff(user.id))) > 0) continue;
    colleagues.push_back({{"id", user.id}, {"name", user.name}, {"selected", user.id == chosen}});
  }
  model["colleagues"] = colleagues;
  model["can_add"] = !colleagues.empty();
  return model;
}

}  // namespace

void add_staff_pages(WebApp& app) {
  constexpr Audience staff = Audience::staff;
  const std::string id = "([A-Za-z0-9_.-]+)";

  app.get("/settings", staff, [&app](Request& request) {
    Json model = settings_view(app.host(), request.who().id, "");
    add_notice(model, request);
    return page("settings", std::move(model));
  });
  app.post("/settings", staff, [&app](Request& request) { return settings_post(app, request, ""); });
  app.get("/settings/locations/" + id, staff, [&app](Request& request) {
    Json model =
        settings_view(app.host(), request.who().id, app.host().location(request.path(1)).location_id);
    add_notice(model, request);
    return page("settings", std::move(model));
  });
  app.post("/settings/locations/" + id, staff, [&app](Request& request) {
    return settings_post(app, request, app.host().location(request.path(1)).location_id);
  });

  app.get("/users", staff, [&app](Request& request) {
    cli::SampleHost& host = app.host();
    require_role(host, request.who().id, host::kManageUsersRole, "Manage Users");
    Json users = Json::array();
    for (const StaffUser& user : host.practice().users()) {
      std::string labels;
      for (const std::string& role : need(host.roles().roles_of(user.id)))
        labels += (labels.empty() ? "" : ", ") + role_label(host, role);
      users.push_back({{"id", user.id}, {"name", user.name}, {"active", user.active}, {"roles", labels}});
    }
    return page("users", {{"title", "Manage Users"}, {"users", users}});
  });
  app.get("/users/" + id, staff, [&app](Request& request) {
    require_role(app.host(), request.who().id, host::kManageUsersRole, "Manage Users");
    Json model = user_view(app.host(), request.path(1));
    model["saved"] = request.param("saved");
    return page("user", std::move(model));
  });
  app.post("/users/" + id, staff, [&app](Request& request) {
    cli::SampleHost& host = app.host();
    const std::string user_id = host.user(request.path(1)).id;
    const std::vector<std::string> wanted = request.params("role");
    const std::vector<std::string> held = need(host.roles().roles_of(user_id));
    std::size_t changed = 0;
    for (const cli::RoleSectionView& section : host.role_sections()) {
      for (const host::RoleDescriptor& role : section.roles) {
        const bool want = std::find(wanted.begin(), wanted.end(), role.id) != wanted.end();
        const bool has = std::find(held.begin(), held.end(), role.id) != held.end();
        if (want == has) continue;
        changed += need(host.roles().set_role(request.who().id, user_id, role.id, want)).changed;
      }
    }
    Json model = user_view(host, user_id);
    model["changed"] = changed;
    return see_other("/users/" + user_id + "?saved=" + std::to_string(changed), std::move(model));
  });

  app.get("/roles", staff, [&app](Request& request) {
    require_role(app.host(), request.who().id, host::kManageUsersRole, "Assign Roles");
    return page("roles", assign_view(app.host(), request.param("role"), {}));
  });
  app.post("/roles", staff, [&app](Request& request) {
    cli::SampleHost& host = app.host();
    const std::string& actor = request.who().id;
    const std::string role = request.param("role");
    const std::string action = request.param("action");
    const std::vector<std::string> users = request.params("users");
    if (action == "show") {
      require_role(host, actor, host::kManageUsersRole, "Assign Roles");
      return page("roles", assign_view(host, role, {}));
    }
    host::RoleStore& roles = host.roles();
    host::Result<host::RoleUpdate> update =
        host::Status::invalid_argument("action", "unknown action '" + action + "'");
    std::string verb;
    if (action == "assign_selected") {
      update = roles.assign_selected(actor, role, users);
      verb = "Assigned";
    } else if (action == "assign_all") {
      update = roles.assign_all(actor, role);
      verb = "Assigned";
    } else if (action == "unassign_selected") {
      update = roles.unassign_selected(actor, role, users);
      verb = "Unassigned";
    } else if (action == "unassign_all") {
      update = roles.unassign_all(actor, role);
      verb = "Unassigned";
    }
    const host::RoleUpdate done = need(std::move(update));
    Json model = assign_view(host, role, {});
    std::string names;
    for (const std::string& user : done.changed_user_ids)
      names += (names.empty() ? "" : ", ") + host.user(user).name;
    model["result"] = {{"verb", verb},
                       {"role_label", role_label(host, role)},
                       {"changed", done.changed},
                       {"one", done.changed == 1},
                       {"changed_users", done.changed_user_ids},
                       {"names", names}};
    return page("roles", std::move(model));
  });

  app.get("/plugins", staff, [&app](Request& request) {
    require_role(app.host(), request.who().id, host::kManageUsersRole, "Plugins");
    return page("plugins", plugins_view(app.host()));
  });
  app.post("/plugins/" + id + "/(enable|disable|verify)", staff, [&app](Request& request) {
    cli::SampleHost& host = app.host();
    require_role(host, request.who().id, host::kManageUsersRole, "Plugins");
    const std::string plugin = request.path(1);
    const std::string action = request.path(2);
    if (action == "verify") {
      const host::Verification check = need(host.plugins().verify(plugin));
      Json model = plugins_view(host);
      model["verification"] = {{"id", check.plugin_id},
                               {"ok", check.status.is_ok()},
                               {"checksum_matches", check.checksum_matches},
                               {"actual_sha256", check.actual_sha256},
                               {"signature", host::to_string(check.signature)},
                               {"problem", check.status.message()}};
      return page("plugins", std::move(model));
    }
    need(action == "enable" ? host.plugins().enable(plugin) : host.plugins().disable(plugin));
    return see_other("/plugins", plugins_view(host));
  });

  app.get("/messages", staff, [&app](Request& request) {
    const bool archived = request.param("archived") == "1";
    const host::ThreadList list = need(app.host().channel().list_threads({request.who(), archived, 50, 0}));
    Json model = thread_list_json(app.host(), list);
    model["title"] = archived ? "Messages - Archived" : "Messages";
    model["archived"] = archived;
    model["base"] = "/messages";
    return page("inbox", std::move(model));
  });
  app.get("/messages/new", staff, [&app](Request& request) {
    return page("compose_staff", compose_view(app.host(), request.who().id, request.param("patient")));
  });
  app.post("/messages/new", staff, [&app](Request& request) {
    cli::SampleHost& host = app.host();
    host::StartRequest start;
    start.sender = request.who();
    start.patient_id = host.patient(request.param("patient")).id;
    for (const std::string& to : request.params("to"))
      start.recipients.push_back(host::Principal::portal_user(to));
    start.subject = request.param("subject");
    start.body = request.param("body");
    const host::Sent sent = need(host.channel().start_thread(start));
    return see_other("/messages/" + std::to_string(sent.thread_id),
                     {{"thread", sent.thread_id}, {"message", sent.message_id}});
  });
  app.get("/messages/(\\d+)", staff, [&app](Request& request) {
    return page("thread", staff_thread_view(app.host(), request.who(), thread_id(request.path(1))));
  });
  app.post("/messages/(\\d+)/participants", staff, [&app](Request& request) {
    const std::int64_t id = thread_id(request.path(1));
    const std::string user = request.param("user");
    if (user.empty()) refuse(422, "invalid argument", "choose the colleague to add");
    host::Result<bool> added =
        app.host().channel().add_participant(request.who(), id, host::Principal::staff(user));
    if (!added) {
      if (request.api) refuse(added.status());
      // Shown on the thread, next to the colleague picker, with the plugin's reason.
      Json model = staff_thread_view(app.host(), request.who(), id, user);
      model["add_error"] = error_json(added.status());
      return page("thread", std::move(model), http_status_of(added.status()));
    }
    return see_other("/messages/" + std::to_string(id), {{"thread", id}, {"user", user}, {"added", *added}});
  });
  app.post("/messages/(\\d+)/reply", staff, [&app](Request& request) {
    const std::int64_t id = thread_id(request.path(1));
    const host::Sent sent = need(app.host().channel().reply({request.who(), id, request.param("body")}));
    return see_other("/messages/" + std::to_string(id), {{"thread", id}, {"message", sent.message_id}});
  });
  app.post("/messages/(\\d+)/(archive|unarchive)", staff, [&app](Request& request) {
    const std::int64_t id = thread_id(request.path(1));
    const bool archive = request.path(2) == "archive";
    need(app.host().channel().set_archived(request.who(), id, archive));
    return see_other(archive ? "/messages" : "/messages?archived=1", {{"thread", id}, {"archived", archive}});
  });

  app.get("/audit", staff, [&app](Request& request) {
    require_role(app.host(), request.who().id, host::kManageUsersRole, "Audit");
    return page("audit", audit_view(app.host(), request));
  });
}

}  // namespace ehr::sample::web
