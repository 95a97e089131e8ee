// How threads and messages look on a page, the same for staff and for portal users.
#include "web_app.hpp"

namespace ehr::sample::web {

namespace host = ehr::host;

namespace {

// "1 message", "3 messages": the pages speak in whole words, not "message(s)".
std::string counted(std::uint64_t count, std::string_view noun) {
  return std::to_string(count) + " " + std::string(noun) + (count == 1 ? "" : "s");
}

std::string patient_name(cli::SampleHost& host, const std::string& patient_id) {
  const Patient* patient = host.practice().find_patient(patient_id);
  return patient != nullptr ? patient->name : patient_id;
}

Json summary_json(cli::SampleHost& host, const host::ThreadSummary& thread) {
  return {{"id", thread.thread_id},
          {"subject", thread.subject.empty() ? "(no subject)" : thread.subject},
          {"patient_id", thread.patient_id},
          {"patient", patient_name(host, thread.patient_id)},
          {"started_by", cli::principal_text(thread.started_by)},
          {"last_from", host.display_name(thread.last_sender)},
          {"at", display_time(thread.last_message_at_unix_ms)},
          {"at_unix_ms", thread.last_message_at_unix_ms},
          {"messages", thread.message_count},
          {"messages_text", counted(thread.message_count, "message")},
          {"unread", thread.unread_count},
          {"has_unread", thread.unread_count > 0},
          {"archived", thread.archived}};
}

// The thread's summary from the first page of the reader's inbox or archive; a thread that old is
// still shown, without its subject.
std::optional<host::ThreadSummary> find_summary(cli::SampleHost& host, const host::Principal& reader,
                                                std::int64_t id) {
  for (const bool archived : {false, true}) {
    host::ListRequest request{reader, archived, 200, 0};
    const host::ThreadList list = need(host.channel().list_threads(request));
    for (const host::ThreadSummary& thread : list.threads) {
      if (thread.thread_id == id) return thread;
    }
  }
  return std::nullopt;
}

}  // namespace

Json thread_list_json(cli::SampleHost& host, const host::ThreadList& list) {
  Json threads = Json::array();
  for (const host::ThreadSummary& thread : list.threads) threads.push_back(summary_json(host, thread));
  return {{"threads", threads},
          {"has_threads", !list.threads.empty()},
          {"thread_count", list.totals.thread_count},
          {"thread_count_text", counted(list.totals.thread_count, "conversation")},
          {"unread_total", list.totals.unread_total}};
}

Json thread_json(cli::SampleHost& host, const host::Principal& reader, std::int64_t id) {
  // Reading first: the plugin decides whether this reader may see the thread at all.
  const std::vector<host::MessageView> messages = need(host.channel().read_thread(reader, id));
  Json items = Json::array();
  for (const host::MessageView& message : messages) {
    items.push_back({{"id", message.message_id},
                     {"sender", cli::principal_text(message.sender)},
                     {"sender_name", message.sender_display_name},
                     {"mine", message.sender == reader},
                     {"at", display_time(message.sent_at_unix_ms)},
                     {"body", message.body}});
  }
  Json thread = {{"id", id}, {"messages", items}, {"subject", "Conversation"}, {"archived", false}};
  if (const std::optional<host::ThreadSummary> summary = find_summary(host, reader, id)) {
    Json shown = summary_json(host, *summary);
    thread["subject"] = shown["subject"];
    thread["patient"] = shown["patient"];
    thread["patient_id"] = shown["patient_id"];
    thread["archived"] = summary->archived;
    if (Json brand = chart_brand_json(host, reader, summary->patient_id); !brand.is_null())
      thread["brand"] = brand;
  }
  // Who takes part, so that a portal user sees which colleagues staff brought in. A plugin built
  // for ABI 1.0 does not say; the page then shows the messages alone.
  host::Result<std::vector<host::Recipient>> participants = host.channel().list_participants(reader, id);
  if (participants.status().code() != EHR_STATUS_UNSUPPORTED) {
    Json people = Json::array();
    for (const host::Recipient& who : need(std::move(participants))) {
      people.push_back({{"principal", cli::principal_text(who.principal)},
                        {"name", who.display_name},
                        {"staff", who.principal.kind == host::PrincipalKind::staff}});
    }
    thread["participants"] = people;
    thread["has_participants"] = !people.empty();
  }
  return thread;
}

Json chart_brand_json(cli::SampleHost& host, const host::Principal& reader, const std::string& patient_id) {
  host::Result<host::ChartBrand> brand = host.channel().chart_brand(reader, patient_id);
  if (brand.status().code() == EHR_STATUS_UNSUPPORTED) return nullptr;  // a plugin built for ABI 1.0
  const host::ChartBrand shown = need(std::move(brand));
  // A tel: link dials digits and a leading +; the practice file writes phones for people to read.
  std::string dial;
  for (const char c : shown.phone)
    if ((c >= '0' && c <= '9') || (c == '+' && dial.empty())) dial += c;
  return {{"name", shown.name},
          {"tel", "tel:" + dial},
          {"phone", shown.phone},
          {"address", shown.address},
          {"location_id", shown.location_id},
          {"has_phone", !shown.phone.empty()},
          {"has_address", !shown.address.empty()}};
}

}  // namespace ehr::sample::web
