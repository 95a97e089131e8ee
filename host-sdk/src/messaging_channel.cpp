#include "ehr/host/messaging_channel.hpp"

#include "c_abi.hpp"
#include "plugin_instance.hpp"

namespace ehr::host {

using detail::copy;
using detail::view;

MessagingChannel::MessagingChannel(std::shared_ptr<const detail::ChannelBinding> binding)
    : binding_(std::move(binding)) {}

const std::string& MessagingChannel::id() const {
  return binding_->channel_id;
}
const std::string& MessagingChannel::plugin_id() const {
  return binding_->instance->plugin_id;
}

namespace {

// Collects what a plugin hands a sink; a malformed struct or an allocation failure stops the
// enumeration and becomes the call's outcome.
template <class Out>
struct Collector {
  std::vector<Out> items;
  Status problem;
};

template <class CStruct, class Out, class Convert>
ehr_status collect(void* ctx, const CStruct* in, std::uint32_t type, std::size_t required, const char* what,
                   Convert convert) noexcept {
  auto& collector = *static_cast<Collector<Out>*>(ctx);
  try {
    CStruct copy_of;
    if (!detail::read_struct(in, type, required, copy_of)) {
      collector.problem = Status::internal(std::string("the plugin sent a malformed ") + what);
      return EHR_STATUS_INVALID_ARGUMENT;
    }
    collector.items.push_back(convert(copy_of));
    return EHR_STATUS_OK;
  } catch (...) {
    collector.problem = Status::internal(std::string("out of memory while reading ") + what);
    return EHR_STATUS_INTERNAL;
  }
}

ehr_status decision_sink(void* ctx, const ehr_decision* decision) {
  return collect<ehr_decision, Decision>(ctx, decision, EHR_STRUCT_DECISION,
                                         EHR_SIZE_THROUGH(ehr_decision, explanation), "ehr_decision",
                                         [](const ehr_decision& d) {
                                           return Decision{d.allowed != 0, d.reason, copy(d.explanation)};
                                         });
}

ehr_status recipient_sink(void* ctx, const ehr_recipient* recipient) {
  return collect<ehr_recipient, Recipient>(
      ctx, recipient, EHR_STRUCT_RECIPIENT, EHR_SIZE_THROUGH(ehr_recipient, display_name), "ehr_recipient",
      [](const ehr_recipient& r) {
        return Recipient{detail::from_c(r.principal), copy(r.display_name)};
      });
}

ehr_status brand_sink(void* ctx, const ehr_brand* brand) {
  return collect<ehr_brand, ChartBrand>(
      ctx, brand, EHR_STRUCT_BRAND, EHR_SIZE_THROUGH(ehr_brand, location_id), "ehr_brand",
      [](const ehr_brand& b) {
        return ChartBrand{copy(b.name), copy(b.phone), copy(b.address), copy(b.location_id)};
      });
}

ehr_status thread_sink(void* ctx, const ehr_thread_summary* thread) {
  return collect<ehr_thread_summary, ThreadSummary>(ctx, thread, EHR_STRUCT_THREAD_SUMMARY,
                                                    EHR_SIZE_THROUGH(ehr_thread_summary, archived),
                                                    "ehr_thread_summary", [](const ehr_thread_summary& t) {
                                                      ThreadSummary out;
                                                      out.thread_id = t.thread_id;
                                                      out.patient_id = copy(t.patient_id);
                                                      out.subject = copy(t.subject);
                                                      out.started_by = detail::from_c(t.started_by);
                                                      out.last_sender = detail::from_c(t.last_sender);
                                                      out.last_message_at_unix_ms = t.last_message_at_unix_ms;
                                                      out.message_count = t.message_count;
                                                      out.unread_count = t.unread_count;
                                                      out.archived = t.archived != 0;
                                                      return out;
                                                    });
}

ehr_status message_sink(void* ctx, const ehr_message_view* message) {
  return collect<ehr_message_view, MessageView>(ctx, message, EHR_STRUCT_MESSAGE_VIEW,
                                                EHR_SIZE_THROUGH(ehr_message_view, sent_at_unix_ms),
                                                "ehr_message_view", [](const ehr_message_view& m) {
                                                  MessageView out;
                                                  out.message_id = m.message_id;
                                                  out.thread_id = m.thread_id;
                                                  out.sender = detail::from_c(m.sender);
                                                  out.sender_display_name = copy(m.sender_display_name);
                                                  out.body = copy(m.body);
                                                  out.sent_at_unix_ms = m.sent_at_unix_ms;
                                                  return out;
                                                });
}

ehr_status webhook_delivery_sink(void* ctx, const ehr_webhook_delivery* delivery) {
  return collect<ehr_webhook_delivery, WebhookDelivery>(
      ctx, delivery, EHR_STRUCT_WEBHOOK_DELIVERY, EHR_SIZE_THROUGH(ehr_webhook_delivery, last_error),
      "ehr_webhook_delivery", [](const ehr_webhook_delivery& d) {
        WebhookDelivery out;
        out.delivery_id = d.delivery_id;
        out.message_id = d.message_id;
        out.thread_id = d.thread_id;
        out.idempotency_key = copy(d.idempotency_key);
        out.state = copy(d.state);
        out.attempts = d.attempts;
        out.created_at_unix_ms = d.created_at_unix_ms;
        out.next_attempt_at_unix_ms = d.next_attempt_at_unix_ms;
        out.delivered_at_unix_ms = d.delivered_at_unix_ms;
        out.last_error = copy(d.last_error);
        return out;
      });
}

Result<Sent> read_sent(const ehr_sent& sent) {
  return Sent{sent.thread_id, sent.message_id, sent.sent_at_unix_ms};
}

}  // namespace

#define EHR_CHANNEL_GUARD()                                                \
  detail::CallGuard guard(*binding_->instance, detail::Requires::enabled); \
  if (!guard) return guard.status()

Result<Decision> MessagingChannel::explain(const ExplainRequest& request) const {
  EHR_CHANNEL_GUARD();
  auto c_request = detail::make_struct<ehr_explain_request>(EHR_STRUCT_EXPLAIN_REQUEST);
  c_request.staff_user_id = view(request.staff_user_id);
  c_request.portal_user_id = view(request.portal_user_id);
  c_request.patient_id = view(request.patient_id);
  Collector<Decision> collector;
  detail::ErrorSlot error;
  const ehr_status code =
      binding_->api.explain(binding_->handle, &c_request, &collector, decision_sink, error.out());
  if (!collector.problem.is_ok()) return collector.problem;
  if (code != EHR_STATUS_OK) return error.status(code);
  if (collector.items.size() != 1)
    return Status::internal("channel " + id() + " answered explain without exactly one decision");
  return std::move(collector.items.front());
}

Result<std::vector<Recipient>> MessagingChannel::list_recipients(const Principal& reader,
                                                                 std::string_view patient_id) const {
  EHR_CHANNEL_GUARD();
  const ehr_principal c_reader = detail::to_c(reader);
  Collector<Recipient> collector;
  detail::ErrorSlot error;
  const ehr_status code = binding_->api.list_recipients(binding_->handle, &c_reader, view(patient_id),
                                                        &collector, recipient_sink, error.out());
  if (!collector.problem.is_ok()) return collector.problem;
  if (code != EHR_STATUS_OK) return error.status(code);
  return std::move(collector.items);
}

Result<Sent> MessagingChannel::start_thread(const StartRequest& request) const {
  EHR_CHANNEL_GUARD();
  std::vector<ehr_principal> recipients;
  recipients.reserve(request.recipients.size());
  for (const Principal& recipient : request.recipients) recipients.push_back(detail::to_c(recipient));
  auto c_request = detail::make_struct<ehr_start_request>(EHR_STRUCT_START_REQUEST);
  c_request.sender = detail::to_c(request.sender);
  c_request.patient_id = view(request.patient_id);
  c_request.recipients = recipients.empty() ? nullptr : recipients.data();
  c_request.recipient_count = recipients.size();
  c_request.subject = view(request.subject);
  c_request.body = view(request.body);
  auto sent = detail::make_struct<ehr_sent>(EHR_STRUCT_SENT);
  detail::ErrorSlot error;
  const ehr_status code = binding_->api.start_thread(binding_->handle, &c_request, &sent, error.out());
  if (code != EHR_STATUS_OK) return error.status(code);
  return read_sent(sent);
}

Result<Sent> MessagingChannel::reply(const ReplyRequest& request) const {
  EHR_CHANNEL_GUARD();
  auto c_request = detail::make_struct<ehr_reply_request>(EHR_STRUCT_REPLY_REQUEST);
  c_request.sender = detail::to_c(request.sender);
  c_request.thread_id = request.thread_id;
  c_request.body = view(request.body);
  auto sent = detail::make_struct<ehr_sent>(EHR_STRUCT_SENT);
  detail::ErrorSlot error;
  const ehr_status code = binding_->api.reply(binding_->handle, &c_request, &sent, error.out());
  if (code != EHR_STATUS_OK) return error.status(code);
  return read_sent(sent);
}

Result<ThreadList> MessagingChannel::list_threads(const ListRequest& request) const {
  EHR_CHANNEL_GUARD();
  auto c_request = detail::make_struct<ehr_list_request>(EHR_STRUCT_LIST_REQUEST);
  c_request.reader = detail::to_c(request.reader);
  c_request.include_archived = request.archived ? 1u : 0u;
  c_request.limit = request.limit;
  c_request.offset = request.offset;
  auto totals = detail::make_struct<ehr_inbox_totals>(EHR_STRUCT_INBOX_TOTALS);
  Collector<ThreadSummary> collector;
  detail::ErrorSlot error;
  const ehr_status code =
      binding_->api.list_threads(binding_->handle, &c_request, &collector, thread_sink, &totals, error.out());
  if (!collector.problem.is_ok()) return collector.problem;
  if (code != EHR_STATUS_OK) return error.status(code);
  return ThreadList{std::move(collector.items), InboxTotals{totals.thread_count, totals.unread_total}};
}

Result<std::uint64_t> MessagingChannel::unread_total(const Principal& reader) const {
  EHR_CHANNEL_GUARD();
  const ehr_principal c_reader = detail::to_c(reader);
  std::uint64_t unread = 0;
  detail::ErrorSlot error;
  const ehr_status code = binding_->api.unread_total(binding_->handle, &c_reader, &unread, error.out());
  if (code != EHR_STATUS_OK) return error.status(code);
  return unread;
}

Result<std::vector<MessageView>> MessagingChannel::read_thread(const Principal& reader,
                                                               std::int64_t thread_id) const {
  EHR_CHANNEL_GUARD();
  const ehr_principal c_reader = detail::to_c(reader);
  Collector<MessageView> collector;
  detail::ErrorSlot error;
  const ehr_status code = binding_->api.read_thread(binding_->handle, &c_reader, thread_id, &collector,
                                                    message_sink, error.out());
  if (!collector.problem.is_ok()) return collector.problem;
  if (code != EHR_STATUS_OK) return error.status(code);
  return std::move(collector.items);
}

Status MessagingChannel::set_archived(const Principal& reader, std::int64_t thread_id, bool archived) const {
  EHR_CHANNEL_GUARD();
  const ehr_principal c_reader = detail::to_c(reader);
  detail::ErrorSlot error;
  const ehr_status code =
      binding_->api.set_archived(binding_->handle, &c_reader, thread_id, archived ? 1u : 0u, error.out());
  return error.status(code);
}

Status MessagingChannel::invite_portal_user(const InviteRequest& request) const {
  EHR_CHANNEL_GUARD();
  if (binding_->api.invite_portal_user == nullptr)
    return Status::unsupported("channel " + id() + " does not offer portal invitations");
  auto c_request = detail::make_struct<ehr_invite_request>(EHR_STRUCT_INVITE_REQUEST);
  c_request.actor_user_id = view(request.actor_user_id);
  c_request.portal_user_id = view(request.portal_user_id);
  detail::ErrorSlot error;
  const ehr_status code = binding_->api.invite_portal_user(binding_->handle, &c_request, error.out());
  return error.status(code);
}

Result<bool> MessagingChannel::add_participant(const Principal& actor, std::int64_t thread_id,
                                               const Principal& added) const {
  EHR_CHANNEL_GUARD();
  if (binding_->api.add_participant == nullptr)
    return Status::unsupported("channel " + id() + " does not offer adding participants");
  const ehr_principal c_actor = detail::to_c(actor);
  const ehr_principal c_added = detail::to_c(added);
  ehr_bool was_added = EHR_FALSE;
  detail::ErrorSlot error;
  const ehr_status code =
      binding_->api.add_participant(binding_->handle, &c_actor, thread_id, &c_added, &was_added, error.out());
  if (code != EHR_STATUS_OK) return error.status(code);
  return was_added != EHR_FALSE;
}

Result<std::vector<Recipient>> MessagingChannel::list_participants(const Principal& reader,
                                                                   std::int64_t thread_id) const {
  EHR_CHANNEL_GUARD();
  if (binding_->api.list_participants == nullptr)
    return Status::unsupported("channel " + id() + " does not offer its participant list");
  const ehr_principal c_reader = detail::to_c(reader);
  Collector<Recipient> collector;
  detail::ErrorSlot error;
  const ehr_status code = binding_->api.list_participants(binding_->handle, &c_reader, thread_id, &collector,
                                                          recipient_sink, error.out());
  if (!collector.problem.is_ok()) return collector.problem;
  if (code != EHR_STATUS_OK) return error.status(code);
  return std::move(collector.items);
}

Result<ChartBrand> MessagingChannel::chart_brand(const Principal& reader, std::string_view patient_id) const {
  EHR_CHANNEL_GUARD();
  if (binding_->api.chart_brand == nullptr)
    return Status::unsupported("channel " + id() + " does not offer chart brands");
  const ehr_principal c_reader = detail::to_c(reader);
  Collector<ChartBrand> collector;
  detail::ErrorSlot error;
  const ehr_status code = binding_->api.chart_brand(binding_->handle, &c_reader, view(patient_id), &collector,
                                                    brand_sink, error.out());
  if (!collector.problem.is_ok()) return collector.problem;
  if (code != EHR_STATUS_OK) return error.status(code);
  if (collector.items.size() != 1)
    return Status::internal("channel " + id() + " answered chart_brand without exactly one brand");
  return std::move(collector.items.front());
}

namespace {

Status malformed(const char* what) {
  return Status::internal(std::string("the plugin sent a malformed ") + what);
}

// Principals of a record the plugin wrote; false when one is malformed.
bool principals_from(const ehr_principal* first, std::size_t count, std::vector<Principal>& out) {
  const auto copies =
      abi_support::copy_array(first, count, EHR_STRUCT_PRINCIPAL, EHR_SIZE_THROUGH(ehr_principal, id));
  if (!copies) return false;
  for (const ehr_principal& p : *copies) out.push_back(detail::from_c(p));
  return true;
}

ehr_status thread_record_sink(void* ctx, const ehr_thread_record* record) noexcept {
  auto& collector = *static_cast<Collector<ThreadRecord>*>(ctx);
  try {
    ehr_thread_record in;
    if (!detail::read_struct(record, EHR_STRUCT_THREAD_RECORD,
                             EHR_SIZE_THROUGH(ehr_thread_record, message_count), in)) {
      collector.problem = malformed("ehr_thread_record");
      return EHR_STATUS_INVALID_ARGUMENT;
    }
    ThreadRecord thread;
    thread.identifier = {copy(in.identifier_system), copy(in.identifier_value)};
    thread.patient_id = copy(in.patient_id);
    thread.subject = copy(in.subject);
    thread.started_by = detail::from_c(in.started_by);
    thread.started_at_unix_ms = in.started_at_unix_ms;
    const auto messages = abi_support::copy_array(in.messages, in.message_count, EHR_STRUCT_MESSAGE_RECORD,
                                                  EHR_SIZE_THROUGH(ehr_message_record, received_at_unix_ms));
    bool ok = messages.has_value() && principals_from(in.recipients, in.recipient_count, thread.recipients);
    for (std::size_t i = 0; ok && i < messages->size(); ++i) {
      const ehr_message_record& m = (*messages)[i];
      MessageRecord message;
      message.identifier = {copy(m.identifier_system), copy(m.identifier_value)};
      message.in_response_to = {copy(m.in_response_to_system), copy(m.in_response_to_value)};
      message.sender = detail::from_c(m.sender);
      ok = principals_from(m.recipients, m.recipient_count, message.recipients);
      message.body = copy(m.body);
      message.sent_at_unix_ms = m.sent_at_unix_ms;
      if (m.received_at_unix_ms != 0) message.received_at_unix_ms = m.received_at_unix_ms;
      thread.messages.push_back(std::move(message));
    }
    if (!ok) {
      collector.problem = malformed("ehr_message_record or ehr_principal in an ehr_thread_record");
      return EHR_STATUS_INVALID_ARGUMENT;
    }
    collector.items.push_back(std::move(thread));
    return EHR_STATUS_OK;
  } catch (...) {
    collector.problem = Status::internal("out of memory while reading ehr_thread_record");
    return EHR_STATUS_INTERNAL;
  }
}

std::vector<ehr_principal> to_c(const std::vector<Principal>& principals) {
  std::vector<ehr_principal> out;
  out.reserve(principals.size());
  for (const Principal& p : principals) out.push_back(detail::to_c(p));
  return out;
}

}  // namespace

Result<std::vector<ThreadRecord>> MessagingChannel::export_records(const ExportRequest& request) const {
  EHR_CHANNEL_GUARD();
  if (binding_->api.export_records == nullptr)
    return Status::unsupported("channel " + id() + " does not offer export");
  auto c_request = detail::make_struct<ehr_export_request>(EHR_STRUCT_EXPORT_REQUEST);
  c_request.actor = detail::to_c(request.actor);
  c_request.patient_id = view(request.patient_id);
  c_request.since_unix_ms = request.since_unix_ms;
  Collector<ThreadRecord> collector;
  detail::ErrorSlot error;
  const ehr_status code =
      binding_->api.export_records(binding_->handle, &c_request, &collector, thread_record_sink, error.out());
  if (!collector.problem.is_ok()) return collector.problem;
  if (code != EHR_STATUS_OK) return error.status(code);
  return std::move(collector.items);
}

Result<ImportCounts> MessagingChannel::import_records(const ImportRequest& request) const {
  EHR_CHANNEL_GUARD();
  if (binding_->api.import_records == nullptr)
    return Status::unsupported("channel " + id() + " does not offer import");
  // The C records point into these, which outlive the call.
  std::vector<std::vector<ehr_principal>> principals;
  std::vector<std::vector<ehr_message_record>> messages;
  std::vector<ehr_thread_record> threads;
  std::size_t lists = 0;
  for (const ThreadRecord& thread : request.threads) lists += 1 + thread.messages.size();
  principals.reserve(lists);  // no reallocation: the records keep pointers into the lists
  messages.reserve(request.threads.size());
  for (const ThreadRecord& thread : request.threads) {
    std::vector<ehr_message_record>& c_messages = messages.emplace_back();
    for (const MessageRecord& message : thread.messages) {
      const std::vector<ehr_principal>& recipients = principals.emplace_back(to_c(message.recipients));
      auto m = detail::make_struct<ehr_message_record>(EHR_STRUCT_MESSAGE_RECORD);
      m.identifier_system = view(message.identifier.system);
      m.identifier_value = view(message.identifier.value);
      m.in_response_to_system = view(message.in_response_to.system);
      m.in_response_to_value = view(message.in_response_to.value);
      m.sender = detail::to_c(message.sender);
      m.recipients = recipients.data();
      m.recipient_count = recipients.size();
      m.body = view(message.body);
      m.sent_at_unix_ms = message.sent_at_unix_ms;
      m.received_at_unix_ms = message.received_at_unix_ms.value_or(0);
      c_messages.push_back(m);
    }
    const std::vector<ehr_principal>& recipients = principals.emplace_back(to_c(thread.recipients));
    auto t = detail::make_struct<ehr_thread_record>(EHR_STRUCT_THREAD_RECORD);
    t.identifier_system = view(thread.identifier.system);
    t.identifier_value = view(thread.identifier.value);
    t.patient_id = view(thread.patient_id);
    t.subject = view(thread.subject);
    t.started_by = detail::to_c(thread.started_by);
    t.recipients = recipients.data();
    t.recipient_count = recipients.size();
    t.started_at_unix_ms = thread.started_at_unix_ms;
    t.messages = c_messages.data();
    t.message_count = c_messages.size();
    threads.push_back(t);
  }
  auto c_request = detail::make_struct<ehr_import_request>(EHR_STRUCT_IMPORT_REQUEST);
  c_request.actor = detail::to_c(request.actor);
  c_request.threads = threads.data();
  c_request.thread_count = threads.size();
  ImportCounts counts;
  detail::ErrorSlot error;
  const ehr_status code = binding_->api.import_records(binding_->handle, &c_request, &counts.threads_added,
                                                       &counts.messages_added, error.out());
  if (code != EHR_STATUS_OK) return error.status(code);
  return counts;
}

Result<std::vector<WebhookDelivery>> MessagingChannel::list_webhook_deliveries(std::string_view state,
                                                                               std::uint32_t limit) const {
  EHR_CHANNEL_GUARD();
  if (binding_->api.list_webhook_deliveries == nullptr)
    return Status::unsupported("channel " + id() + " does not offer a webhook");
  Collector<WebhookDelivery> collector;
  detail::ErrorSlot error;
  const ehr_status code = binding_->api.list_webhook_deliveries(
      binding_->handle, view(state), limit, &collector, webhook_delivery_sink, error.out());
  if (!collector.problem.is_ok()) return collector.problem;
  if (code != EHR_STATUS_OK) return error.status(code);
  return std::move(collector.items);
}

Result<std::uint64_t> MessagingChannel::retry_webhook_deliveries(std::int64_t delivery_id) const {
  EHR_CHANNEL_GUARD();
  if (binding_->api.retry_webhook_deliveries == nullptr)
    return Status::unsupported("channel " + id() + " does not offer a webhook");
  std::uint64_t count = 0;
  detail::ErrorSlot error;
  const ehr_status code =
      binding_->api.retry_webhook_deliveries(binding_->handle, delivery_id, &count, error.out());
  if (code != EHR_STATUS_OK) return error.status(code);
  return count;
}

Result<MessagingChannel::Rekeyed> MessagingChannel::rekey(const Principal& actor,
                                                          std::uint32_t batch_size) const {
  EHR_CHANNEL_GUARD();
  if (binding_->api.rekey == nullptr)
    return Status::unsupported("channel " + id() + " does not offer key rotation");
  const ehr_principal c_actor = detail::to_c(actor);
  Rekeyed out;
  detail::ErrorSlot error;
  const ehr_status code =
      binding_->api.rekey(binding_->handle, &c_actor, batch_size, &out.key_id, &out.resealed, error.out());
  if (code != EHR_STATUS_OK) return error.status(code);
  return out;
}

}  // namespace ehr::host
