// How threads and messages look on a page, the same for staff and for portal users.
#include "web_app.hpp"

namespace ehr::sample::web {

namespace host = ehr::host;

namespace {

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
  }
  return thread;
}

}  // namespace ehr::sample::web
