// The messaging channel table (ehr/channel.h) over the conversation service. Each function
// copies what the host sent per struct_size, calls the service, and turns every exception into
// a status and an ehr_error; refusals carry their ehr_deny_reason in ehr_error.reason.
#include "abi/channel_abi.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "abi/abi_error.hpp"
#include "abi/registration.hpp"
#include "branding/brand.hpp"
#include "common/error.hpp"
#include "common/storage.hpp"
#include "ehr/abi_support/struct_io.hpp"
#include "messaging/conversation_service.hpp"
#include "portal.hpp"
#include "storage/transaction.hpp"
#include "webhook/webhook_outbox.hpp"

namespace ehr::portal::abi {
namespace {

Portal& portal_of(ehr_channel* channel) {
  if (channel == nullptr || channel->portal == nullptr) {
    throw Error(EHR_STATUS_INVALID_ARGUMENT, "no channel handle", "channel");
  }
  if (!channel->portal->enabled()) {
    throw Error(EHR_STATUS_DISABLED,
                "the portal-messaging plugin is disabled; an admin can enable it in the "
                "plugin manager");
  }
  return *channel->portal;
}

ConversationService& service_of(ehr_channel* channel) {
  return portal_of(channel).conversations();
}

Principal principal_from(const ehr_principal* principal, const char* field) {
  auto copy =
      ehr::abi_support::copy_struct(principal, EHR_STRUCT_PRINCIPAL, EHR_SIZE_THROUGH(ehr_principal, id));
  if (!copy)
    throw Error(EHR_STATUS_INVALID_ARGUMENT, std::string(field) + " is not a valid ehr_principal", field);
  if (copy->kind != EHR_PRINCIPAL_STAFF && copy->kind != EHR_PRINCIPAL_PORTAL_USER) {
    throw Error(EHR_STATUS_INVALID_ARGUMENT,
                std::string(field) + " is neither a staff user nor a portal user", field);
  }
  return Principal{static_cast<PrincipalKind>(copy->kind), to_string(copy->id)};
}

// An array of principals the host passed (each stepped by its struct_size).
std::vector<Principal> principals_from(const ehr_principal* first, size_t count, const char* field) {
  std::vector<Principal> result;
  for (const ehr_principal& p : copy_host_array(first, count, EHR_STRUCT_PRINCIPAL,
                                                EHR_SIZE_THROUGH(ehr_principal, id), "ehr_principal", field))
    result.push_back(principal_from(&p, field));
  return result;
}

ehr_principal to_c(const Principal& principal) {
  ehr_principal out{};
  out.struct_type = EHR_STRUCT_PRINCIPAL;
  out.struct_size = sizeof(ehr_principal);
  out.kind = static_cast<ehr_principal_kind>(principal.kind);
  out.id = view(principal.id);
  return out;
}

ehr_recipient to_c(const Recipient& recipient) {
  ehr_recipient out{};
  out.struct_type = EHR_STRUCT_RECIPIENT;
  out.struct_size = sizeof(ehr_recipient);
  out.principal = to_c(recipient.principal);
  out.display_name = view(recipient.display_name);
  return out;
}

template <typename Request>
Request request_from(const Request* request, uint32_t type, size_t required, const char* name) {
  auto copy = ehr::abi_support::copy_struct(request, type, required);
  if (!copy) throw Error(EHR_STATUS_INVALID_ARGUMENT, std::string("no valid ") + name, "request");
  return *copy;
}

template <typename Sink>
void require_sink(Sink sink) {
  if (sink == nullptr) throw Error(EHR_STATUS_INVALID_ARGUMENT, "no sink to receive the results", "sink");
}

// True to go on; false when the host asked to stop. Any other answer ends the call with it.
bool delivered(ehr_status status) {
  if (status == EHR_STATUS_OK) return true;
  if (status == EHR_STATUS_STOP) return false;
  throw Error(status, std::string("the host's sink answered ") + ehr_status_name(status), "sink");
}

// Writes an output struct the host allocated: up to the size it declared, never past it.
template <typename Out>
void write_out(Out* out, uint32_t type, size_t required, const Out& value, const char* name) {
  if (out == nullptr || out->struct_type != type || out->struct_size < required) {
    throw Error(EHR_STATUS_INVALID_ARGUMENT, std::string(name) + " is not a valid output struct", name);
  }
  const uint32_t declared = out->struct_size;
  std::memcpy(out, &value, std::min<size_t>(declared, sizeof(Out)));
  out->struct_size = declared;
}

void write_sent(ehr_sent* out, const SentMessage& sent) {
  ehr_sent value{};
  value.struct_type = EHR_STRUCT_SENT;
  value.struct_size = sizeof(ehr_sent);
  value.thread_id = sent.thread_id;
  value.message_id = sent.message_id;
  value.sent_at_unix_ms = sent.sent_at_ms;
  write_out(out, EHR_STRUCT_SENT, EHR_SIZE_THROUGH(ehr_sent, sent_at_unix_ms), value, "out_sent");
}

ehr_status explain(ehr_channel* channel, const ehr_explain_request* request, void* sink_ctx,
                   ehr_decision_sink_fn sink, ehr_error** out_error) {
  return guarded(out_error, [&] {
    ConversationService& service = service_of(channel);
    const auto in = request_from(request, EHR_STRUCT_EXPLAIN_REQUEST,
                                 EHR_SIZE_THROUGH(ehr_explain_request, patient_id), "ehr_explain_request");
    require_sink(sink);
    const Eligibility decision = service.explain(
        {to_string(in.staff_user_id), to_string(in.portal_user_id), to_string(in.patient_id)});
    ehr_decision out{};
    out.struct_type = EHR_STRUCT_DECISION;
    out.struct_size = sizeof(ehr_decision);
    out.allowed = decision.allowed() ? 1u : 0u;
    out.reason = decision.reason;
    out.explanation = view(decision.explanation);
    (void)delivered(sink(sink_ctx, &out));
  });
}

ehr_status list_recipients(ehr_channel* channel, const ehr_principal* reader, ehr_str patient_id,
                           void* sink_ctx, ehr_recipient_sink_fn sink, ehr_error** out_error) {
  return guarded(out_error, [&] {
    ConversationService& service = service_of(channel);
    const Principal who = principal_from(reader, "reader");
    require_sink(sink);
    for (const Recipient& recipient : service.list_recipients(who, to_string(patient_id))) {
      const ehr_recipient out = to_c(recipient);
      if (!delivered(sink(sink_ctx, &out))) break;
    }
  });
}

ehr_status start_thread(ehr_channel* channel, const ehr_start_request* request, ehr_sent* out_sent,
                        ehr_error** out_error) {
  return guarded(out_error, [&] {
    ConversationService& service = service_of(channel);
    const auto in = request_from(request, EHR_STRUCT_START_REQUEST, EHR_SIZE_THROUGH(ehr_start_request, body),
                                 "ehr_start_request");
    if (in.recipient_count > 0 && in.recipients == nullptr) {
      throw Error(EHR_STATUS_INVALID_ARGUMENT, "recipient_count is not zero but recipients is NULL",
                  "recipients");
    }
    StartThreadRequest start;
    start.recipients = principals_from(in.recipients, in.recipient_count, "recipients");
    start.sender = principal_from(&in.sender, "sender");
    start.patient_id = to_string(in.patient_id);
    start.subject = to_string(in.subject);
    start.body = to_string(in.body);
    write_sent(out_sent, service.start_thread(start));
  });
}

ehr_status reply(ehr_channel* channel, const ehr_reply_request* request, ehr_sent* out_sent,
                 ehr_error** out_error) {
  return guarded(out_error, [&] {
    ConversationService& service = service_of(channel);
    const auto in = request_from(request, EHR_STRUCT_REPLY_REQUEST, EHR_SIZE_THROUGH(ehr_reply_request, body),
                                 "ehr_reply_request");
    write_sent(out_sent,
               service.reply({principal_from(&in.sender, "sender"), in.thread_id, to_string(in.body)}));
  });
}

ehr_status list_threads(ehr_channel* channel, const ehr_list_request* request, void* sink_ctx,
                        ehr_thread_sink_fn sink, ehr_inbox_totals* out_totals, ehr_error** out_error) {
  return guarded(out_error, [&] {
    ConversationService& service = service_of(channel);
    const auto in = request_from(request, EHR_STRUCT_LIST_REQUEST, EHR_SIZE_THROUGH(ehr_list_request, offset),
                                 "ehr_list_request");
    require_sink(sink);
    InboxRequest inbox;
    inbox.reader = principal_from(&in.reader, "reader");
    inbox.archived = in.include_archived != 0;
    inbox.limit = in.limit;
    inbox.offset = in.offset;
    const InboxPage page = service.list_threads(inbox);
    for (const ThreadSummaryRecord& summary : page.threads) {
      ehr_thread_summary out{};
      out.struct_type = EHR_STRUCT_THREAD_SUMMARY;
      out.struct_size = sizeof(ehr_thread_summary);
      out.thread_id = summary.thread.id;
      out.patient_id = view(summary.thread.patient_id);
      out.subject = view(summary.thread.subject);
      out.started_by = to_c(summary.thread.started_by);
      out.last_sender = to_c(summary.thread.last_sender);
      out.last_message_at_unix_ms = summary.thread.last_message_at_ms;
      out.message_count = summary.thread.message_count;
      out.unread_count = summary.unread_count;
      out.archived = summary.archived ? 1u : 0u;
      if (!delivered(sink(sink_ctx, &out))) break;
    }
    if (out_totals != nullptr) {
      ehr_inbox_totals totals{};
      totals.struct_type = EHR_STRUCT_INBOX_TOTALS;
      totals.struct_size = sizeof(ehr_inbox_totals);
      totals.thread_count = page.thread_count;
      totals.unread_total = page.unread_total;
      write_out(out_totals, EHR_STRUCT_INBOX_TOTALS, EHR_SIZE_THROUGH(ehr_inbox_totals, unread_total), totals,
                "out_totals");
    }
  });
}

ehr_status unread_total(ehr_channel* channel, const ehr_principal* reader, uint64_t* out_unread,
                        ehr_error** out_error) {
  return guarded(out_error, [&] {
    ConversationService& service = service_of(channel);
    if (out_unread == nullptr) throw Error(EHR_STATUS_INVALID_ARGUMENT, "out_unread is NULL", "out_unread");
    *out_unread = service.unread_total(principal_from(reader, "reader"));
  });
}

ehr_status read_thread(ehr_channel* channel, const ehr_principal* reader, int64_t thread_id, void* sink_ctx,
                       ehr_message_sink_fn sink, ehr_error** out_error) {
  return guarded(out_error, [&] {
    ConversationService& service = service_of(channel);
    const Principal who = principal_from(reader, "reader");
    require_sink(sink);
    for (const MessageView& message : service.read_thread(who, thread_id)) {
      ehr_message_view out{};
      out.struct_type = EHR_STRUCT_MESSAGE_VIEW;
      out.struct_size = sizeof(ehr_message_view);
      out.message_id = message.message.id;
      out.thread_id = message.message.thread_id;
      out.sender = to_c(message.message.sender);
      out.sender_display_name = view(message.sender_display_name);
      out.body = view(message.message.body);
      out.sent_at_unix_ms = message.message.sent_at_ms;
      if (!delivered(sink(sink_ctx, &out))) break;
    }
  });
}

ehr_status set_archived(ehr_channel* channel, const ehr_principal* reader, int64_t thread_id,
                        uint32_t archived, ehr_error** out_error) {
  return guarded(out_error, [&] {
    ConversationService& service = service_of(channel);
    service.set_archived(principal_from(reader, "reader"), thread_id, archived != 0);
  });
}

// Issue 5: a branded portal invitation (PortalNotifier); refused like every channel call while
// the plugin is disabled.
ehr_status invite_portal_user(ehr_channel* channel, const ehr_invite_request* request,
                              ehr_error** out_error) {
  return guarded(out_error, [&] {
    (void)service_of(channel);
    const auto invite =
        request_from(request, EHR_STRUCT_INVITE_REQUEST, EHR_SIZE_THROUGH(ehr_invite_request, portal_user_id),
                     "ehr_invite_request");
    channel->portal->notifier().invite(to_string(invite.actor_user_id), to_string(invite.portal_user_id));
  });
}

ehr_status add_participant(ehr_channel* channel, const ehr_principal* actor, int64_t thread_id,
                           const ehr_principal* added, ehr_bool* out_added, ehr_error** out_error) {
  return guarded(out_error, [&] {
    ConversationService& service = service_of(channel);
    const bool was_added =
        service.add_participant(principal_from(actor, "actor"), thread_id, principal_from(added, "added"));
    if (out_added != nullptr) *out_added = was_added ? EHR_TRUE : EHR_FALSE;
  });
}

ehr_status list_participants(ehr_channel* channel, const ehr_principal* reader, int64_t thread_id,
                             void* sink_ctx, ehr_recipient_sink_fn sink, ehr_error** out_error) {
  return guarded(out_error, [&] {
    ConversationService& service = service_of(channel);
    const Principal who = principal_from(reader, "reader");
    require_sink(sink);
    for (const Recipient& participant : service.list_participants(who, thread_id)) {
      const ehr_recipient out = to_c(participant);
      if (!delivered(sink(sink_ctx, &out))) break;
    }
  });
}

ehr_status chart_brand(ehr_channel* channel, const ehr_principal* reader, ehr_str patient_id, void* sink_ctx,
                       ehr_brand_sink_fn sink, ehr_error** out_error) {
  return guarded(out_error, [&] {
    ConversationService& service = service_of(channel);
    const Principal who = principal_from(reader, "reader");
    require_sink(sink);
    const std::string patient = to_string(patient_id);
    const std::string location = service.check_chart_reader(who, patient);
    const Brand brand =
        BrandResolver(channel->portal->host(), channel->portal->settings()).for_location(location);
    ehr_brand out{};
    out.struct_type = EHR_STRUCT_BRAND;
    out.struct_size = sizeof(ehr_brand);
    out.name = view(brand.name);
    out.phone = view(brand.phone);
    out.address = view(brand.address);
    out.location_id = view(brand.location_id);
    (void)delivered(sink(sink_ctx, &out));
  });
}

// ---- export and import: plain records, mapped to FHIR by the host ----

std::vector<ehr_principal> to_c(const std::vector<Principal>& principals) {
  std::vector<ehr_principal> out;
  out.reserve(principals.size());
  for (const Principal& p : principals) out.push_back(to_c(p));
  return out;
}

ExchangedThread thread_from(const ehr_thread_record& in) {
  ExchangedThread thread;
  thread.identifier = {to_string(in.identifier_system), to_string(in.identifier_value)};
  thread.patient_id = to_string(in.patient_id);
  thread.subject = to_string(in.subject);
  thread.started_by = principal_from(&in.started_by, "threads.started_by");
  thread.recipients = principals_from(in.recipients, in.recipient_count, "threads.recipients");
  thread.started_at_ms = in.started_at_unix_ms;
  for (const ehr_message_record& m :
       copy_host_array(in.messages, in.message_count, EHR_STRUCT_MESSAGE_RECORD,
                       EHR_SIZE_THROUGH(ehr_message_record, received_at_unix_ms), "ehr_message_record",
                       "threads.messages")) {
    ExchangedMessage message;
    message.identifier = {to_string(m.identifier_system), to_string(m.identifier_value)};
    message.in_response_to = {to_string(m.in_response_to_system), to_string(m.in_response_to_value)};
    message.sender = principal_from(&m.sender, "threads.messages.sender");
    message.recipients = principals_from(m.recipients, m.recipient_count, "threads.messages.recipients");
    message.body = to_string(m.body);
    message.sent_at_ms = m.sent_at_unix_ms;
    if (m.received_at_unix_ms != 0) message.received_at_ms = m.received_at_unix_ms;
    thread.messages.push_back(std::move(message));
  }
  return thread;
}

ehr_status export_records(ehr_channel* channel, const ehr_export_request* request, void* sink_ctx,
                          ehr_thread_record_sink_fn sink, ehr_error** out_error) {
  return guarded(out_error, [&] {
    ConversationService& service = service_of(channel);
    const auto in = request_from(request, EHR_STRUCT_EXPORT_REQUEST,
                                 EHR_SIZE_THROUGH(ehr_export_request, since_unix_ms), "ehr_export_request");
    require_sink(sink);
    const std::vector<ExchangedThread> threads =
        service.export_chart(principal_from(&in.actor, "actor"), to_string(in.patient_id), in.since_unix_ms);
    for (const ExchangedThread& thread : threads) {
      // The views below point into `thread`, alive for the sink's call.
      std::vector<std::vector<ehr_principal>> message_recipients;
      std::vector<ehr_message_record> messages;
      message_recipients.reserve(thread.messages.size());
      for (const ExchangedMessage& message : thread.messages) {
        message_recipients.push_back(to_c(message.recipients));
        ehr_message_record out{};
        out.struct_type = EHR_STRUCT_MESSAGE_RECORD;
        out.struct_size = sizeof(ehr_message_record);
        out.identifier_system = view(message.identifier.system);
        out.identifier_value = view(message.identifier.value);
        out.in_response_to_system = view(message.in_response_to.system);
        out.in_response_to_value = view(message.in_response_to.value);
        out.sender = to_c(message.sender);
        out.recipients = message_recipients.back().data();
        out.recipient_count = message_recipients.back().size();
        out.body = view(message.body);
        out.sent_at_unix_ms = message.sent_at_ms;
        out.received_at_unix_ms = message.received_at_ms.value_or(0);
        messages.push_back(out);
      }
      const std::vector<ehr_principal> recipients = to_c(thread.recipients);
      ehr_thread_record out{};
      out.struct_type = EHR_STRUCT_THREAD_RECORD;
      out.struct_size = sizeof(ehr_thread_record);
      out.identifier_system = view(thread.identifier.system);
      out.identifier_value = view(thread.identifier.value);
      out.patient_id = view(thread.patient_id);
      out.subject = view(thread.subject);
      out.started_by = to_c(thread.started_by);
      out.recipients = recipients.data();
      out.recipient_count = recipients.size();
      out.started_at_unix_ms = thread.started_at_ms;
      out.messages = messages.data();
      out.message_count = messages.size();
      if (!delivered(sink(sink_ctx, &out))) break;
    }
  });
}

ehr_status import_records(ehr_channel* channel, const ehr_import_request* request,
                          uint64_t* out_threads_added, uint64_t* out_messages_added, ehr_error** out_error) {
  return guarded(out_error, [&] {
    ConversationService& service = service_of(channel);
    const auto in = request_from(request, EHR_STRUCT_IMPORT_REQUEST,
                                 EHR_SIZE_THROUGH(ehr_import_request, thread_count), "ehr_import_request");
    std::vector<ExchangedThread> threads;
    for (const ehr_thread_record& record :
         copy_host_array(in.threads, in.thread_count, EHR_STRUCT_THREAD_RECORD,
                         EHR_SIZE_THROUGH(ehr_thread_record, message_count), "ehr_thread_record", "threads"))
      threads.push_back(thread_from(record));
    const ImportCounts counts = service.import_threads(principal_from(&in.actor, "actor"), threads);
    if (out_threads_added != nullptr) *out_threads_added = counts.threads_added;
    if (out_messages_added != nullptr) *out_messages_added = counts.messages_added;
  });
}

ehr_status list_webhook_deliveries(ehr_channel* channel, ehr_str state, uint32_t limit, void* sink_ctx,
                                   ehr_webhook_delivery_sink_fn sink, ehr_error** out_error) {
  return guarded(out_error, [&] {
    Portal& portal = portal_of(channel);
    require_sink(sink);
    std::optional<OutboxState> only;
    if (state.size != 0) {
      only = parse_outbox_state(to_string(state));
      if (!only) {
        throw Error(EHR_STATUS_INVALID_ARGUMENT, "state is not one of pending, delivered, dead", "state");
      }
    }
    std::vector<OutboxEntry> entries;
    {
      Transaction tx(portal.store(), TransactionMode::read);
      entries = WebhookOutbox::list(tx, only, limit == 0 ? 100 : limit);
    }
    for (const OutboxEntry& entry : entries) {
      ehr_webhook_delivery out{};
      out.struct_type = EHR_STRUCT_WEBHOOK_DELIVERY;
      out.struct_size = sizeof(ehr_webhook_delivery);
      out.delivery_id = entry.id;
      out.message_id = entry.message_id;
      out.thread_id = entry.thread_id;
      out.idempotency_key = view(entry.idempotency_key);
      out.state = view(outbox_state_name(entry.state));
      out.attempts = entry.attempts;
      out.created_at_unix_ms = entry.created_at_ms;
      out.next_attempt_at_unix_ms = entry.next_attempt_at_ms;
      out.delivered_at_unix_ms = entry.delivered_at_ms;
      out.last_error = view(entry.last_error);
      if (!delivered(sink(sink_ctx, &out))) break;
    }
  });
}

ehr_status retry_webhook_deliveries(ehr_channel* channel, int64_t delivery_id, uint64_t* out_count,
                                    ehr_error** out_error) {
  return guarded(out_error, [&] {
    Portal& portal = portal_of(channel);
    if (delivery_id < 0) throw Error(EHR_STATUS_INVALID_ARGUMENT, "delivery_id is negative", "delivery_id");
    uint64_t count = 0;
    {
      Transaction tx(portal.store(), TransactionMode::write);
      try {
        count = WebhookOutbox::retry(tx, delivery_id);
      } catch (const Error& e) {
        throw Error(e.code(), e.what(), "delivery_id");
      }
      tx.commit();
    }
    // A key the host has back (a restored key file) lets a delivery that failed on it go now.
    portal.load_webhook_keys();
    if (WebhookDelivery* webhook = portal.webhook()) webhook->wake();
    if (out_count != nullptr) *out_count = count;
  });
}

ehr_status rekey(ehr_channel* channel, const ehr_principal* actor, uint32_t batch_size, uint32_t* out_key_id,
                 uint64_t* out_resealed, ehr_error** out_error) {
  return guarded(out_error, [&] {
    const ConversationService::RekeyReport report =
        service_of(channel).rekey(principal_from(actor, "actor"), batch_size);
    if (out_key_id != nullptr) *out_key_id = report.key_id;
    if (out_resealed != nullptr) *out_resealed = report.resealed;
  });
}

const ehr_channel_api kChannelApi = {
    EHR_STRUCT_CHANNEL_API,
    sizeof(ehr_channel_api),
    &explain,
    &list_recipients,
    &start_thread,
    &reply,
    &list_threads,
    &unread_total,
    &read_thread,
    &set_archived,
    &invite_portal_user,
    &add_participant,
    &list_participants,
    &chart_brand,
    &export_records,
    &import_records,
    &list_webhook_deliveries,
    &retry_webhook_deliveries,
    &rekey,
};

}  // namespace

const ehr_channel_api& channel_api() noexcept {
  return kChannelApi;
}

void register_channel(const ehr_registrar& registrar, ehr_channel* handle) {
  if (registrar.register_channel == nullptr) return;
  ehr_error* host_error = nullptr;
  const ehr_status status =
      registrar.register_channel(registrar.registrar, view(kChannelId), &kChannelApi, handle, &host_error);
  check_registration(status, host_error, "the messaging channel");
}

}  // namespace ehr::portal::abi
