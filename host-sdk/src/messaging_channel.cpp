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

}  // namespace ehr::host
