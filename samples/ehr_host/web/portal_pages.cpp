// The patient portal's My Messages: what a patient, guardian or guarantor sees for the charts they
// are a contact on. The plugin decides, on every call, who may read and write what.
#include <algorithm>

#include "web_app.hpp"

namespace ehr::sample::web {

namespace host = ehr::host;

namespace {

// The charts this portal user is a contact on, as the "Regarding" picker offers them.
Json charts_json(cli::SampleHost& host, const host::Principal& who, const std::string& chosen) {
  Json charts = Json::array();
  for (const std::string& patient_id : host.portal_user(who.id).contacts) {
    const Patient* patient = host.practice().find_patient(patient_id);
    if (patient == nullptr) continue;
    charts.push_back({{"id", patient->id}, {"name", patient->name}, {"selected", patient->id == chosen}});
  }
  return charts;
}

Json compose_view(cli::SampleHost& host, const host::Principal& who, std::string patient_id) {
  const Json charts = charts_json(host, who, patient_id);
  if (patient_id.empty() && charts.size() == 1) patient_id = charts[0]["id"];
  Json model = {{"title", "New message"},
                {"charts", charts_json(host, who, patient_id)},
                {"patient_id", patient_id},
                {"has_chart", !patient_id.empty()}};
  if (patient_id.empty()) return model;
  if (Json brand = chart_brand_json(host, who, patient_id); !brand.is_null()) model["brand"] = brand;
  Json recipients = Json::array();
  for (const host::Recipient& recipient : need(host.channel().list_recipients(who, patient_id))) {
    recipients.push_back(
        {{"principal", cli::principal_text(recipient.principal)}, {"name", recipient.display_name}});
  }
  model["recipients"] = recipients;
  model["has_recipients"] = !recipients.empty();
  return model;
}

// The practices this portal user's charts belong to, each once, for the inbox's contact box.
Json practices_json(cli::SampleHost& host, const host::Principal& who) {
  Json practices = Json::array();
  for (const std::string& patient_id : host.portal_user(who.id).contacts) {
    Json brand = chart_brand_json(host, who, patient_id);
    if (brand.is_null()) break;  // a plugin built for ABI 1.0 names no practice
    if (std::find(practices.begin(), practices.end(), brand) == practices.end()) practices.push_back(brand);
  }
  return practices;
}

}  // namespace

void add_portal_pages(WebApp& app) {
  constexpr Audience portal = Audience::portal;

  app.get("/portal", portal, [&app](Request& request) {
    const bool archived = request.param("archived") == "1";
    const host::ThreadList list = need(app.host().channel().list_threads({request.who(), archived, 50, 0}));
    Json model = thread_list_json(app.host(), list);
    model["title"] = archived ? "My Messages - Archived" : "My Messages";
    model["archived"] = archived;
    model["base"] = "/portal/threads";
    model["portal"] = true;
    model["practices"] = practices_json(app.host(), request.who());
    model["has_practices"] = !model["practices"].empty();
    return page("inbox", std::move(model));
  });
  app.get("/portal/compose", portal, [&app](Request& request) {
    return page("compose_portal", compose_view(app.host(), request.who(), request.param("patient")));
  });
  app.post("/portal/compose", portal, [&app](Request& request) {
    cli::SampleHost& host = app.host();
    host::StartRequest start;
    start.sender = request.who();
    start.patient_id = request.param("patient");
    const std::string to = request.param("to");
    if (to.empty()) refuse(422, "invalid argument", "choose who to write to");
    // Only staff are offered; the plugin checks that this one was.
    start.recipients.push_back(host::Principal::staff(to));
    start.subject = request.param("subject");
    start.body = request.param("body");
    const host::Sent sent = need(host.channel().start_thread(start));
    return see_other("/portal/threads/" + std::to_string(sent.thread_id),
                     {{"thread", sent.thread_id}, {"message", sent.message_id}});
  });
  app.get("/portal/threads/(\\d+)", portal, [&app](Request& request) {
    Json model = thread_json(app.host(), request.who(), thread_id(request.path(1)));
    model["title"] = model["subject"];
    model["base"] = "/portal/threads";
    model["portal"] = true;
    return page("thread", std::move(model));
  });
  app.post("/portal/threads/(\\d+)/reply", portal, [&app](Request& request) {
    const std::int64_t id = thread_id(request.path(1));
    const host::Sent sent = need(app.host().channel().reply({request.who(), id, request.param("body")}));
    return see_other("/portal/threads/" + std::to_string(id), {{"thread", id}, {"message", sent.message_id}});
  });
  app.post("/portal/threads/(\\d+)/(archive|unarchive)", portal, [&app](Request& request) {
    const std::int64_t id = thread_id(request.path(1));
    const bool archive = request.path(2) == "archive";
    need(app.host().channel().set_archived(request.who(), id, archive));
    return see_other(archive ? "/portal" : "/portal?archived=1", {{"thread", id}, {"archived", archive}});
  });
}

}  // namespace ehr::sample::web
