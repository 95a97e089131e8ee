#include "messaging/conversation_service.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "audit/audit_log.hpp"
#include "common/error.hpp"
#include "fhir/fhir_mapping.hpp"
#include "hooks/hook_registry.hpp"
#include "host/host_client.hpp"
#include "messaging/message_text.hpp"
#include "roles/portal_roles.hpp"
#include "settings/settings_service.hpp"
#include "webhook/webhook_delivery.hpp"
#include "webhook/webhook_outbox.hpp"

namespace ehr::portal {
namespace {

std::string thread_target(int64_t thread_id) {
  return "thread:" + std::to_string(thread_id);
}

AuditEntry entry(const Principal& actor, const char* action, std::string patient_id, std::string target) {
  AuditEntry e;
  e.actor = actor;
  e.action = action;
  e.patient_id = std::move(patient_id);
  e.target = std::move(target);
  return e;
}

void require_principal(const Principal& who, const char* field) {
  if (who.id.empty()) throw Error(EHR_STATUS_INVALID_ARGUMENT, std::string(field) + " has no id", field);
  if (who.kind != PrincipalKind::staff && who.kind != PrincipalKind::portal_user) {
    throw Error(EHR_STATUS_INVALID_ARGUMENT,
                std::string(field) + " is neither a staff user nor a portal user", field);
  }
}

MessagingSettingsFacts messaging_settings(SettingsService& settings, const std::string& location_id) {
  const PortalSettings effective = settings.effective(location_id);
  MessagingSettingsFacts facts;
  facts.my_messages = effective.my_messages;
  facts.audience = effective.audience;
  facts.location_id = location_id;
  facts.location_has_own_settings = !effective.source_location_id.empty();
  facts.version = effective.version;
  return facts;
}

}  // namespace

ConversationService::ConversationService(Store& db, const HostClient& host, SettingsService& settings,
                                         AuditLog& audit, HookRegistry& hooks, AtRest& at_rest)
    : host_(host),
      at_rest_(at_rest),
      settings_(settings),
      audit_(audit),
      hooks_(hooks),
      facts_(host, [&settings](
                       const std::string& location_id) { return messaging_settings(settings, location_id); }),
      store_(at_rest),
      db_(db),
      writer_(db) {}

ConversationService::~ConversationService() = default;

ConversationService::RekeyReport ConversationService::rekey(const Principal& actor, uint32_t batch_size) {
  if (batch_size == 0 || batch_size > 10000)
    throw Error(EHR_STATUS_INVALID_ARGUMENT, "batch_size takes 1 to 10000 values per transaction",
                "batch_size");
  if (!host_.supports_keys())
    throw Error(EHR_STATUS_UNSUPPORTED, "the host offers no key service: there is no key to rotate to");
  RekeyReport report;
  report.key_id = at_rest_.refresh_current();
  {
    // Every key a row is under, asked of the host here, on the calling thread: a batch may be
    // committed by another call's thread, which asks the host nothing but the clock and the audit
    // sink.
    Transaction tx(db_, TransactionMode::read);
    Statement keys = tx.prepare(
        "SELECT DISTINCT subject_key FROM message_threads UNION SELECT DISTINCT body_key FROM messages");
    while (keys.step()) at_rest_.preload(static_cast<uint32_t>(keys.int64(0)));
    keys.reset();
    for (uint32_t key_id : WebhookOutbox::payload_keys(tx)) at_rest_.preload(key_id);
  }
  int64_t thread_cursor = 0;
  int64_t message_cursor = 0;
  for (;;) {
    const auto [count, threads, messages] = writer_.run([&](Transaction& tx) {
      int64_t t = thread_cursor;
      int64_t m = message_cursor;
      const uint64_t n = store_.reseal(tx, &t, &m, batch_size);
      return std::tuple{n, t, m};
    });
    thread_cursor = threads;
    message_cursor = messages;
    report.resealed += count;
    ++report.batches;
    if (count < batch_size) break;
  }
  // Then the webhook payloads still waiting (pending or dead), which carry subjects and bodies
  // too; delivered rows hold none. The same bounded batches.
  int64_t outbox_cursor = 0;
  for (;;) {
    const auto [count, cursor] = writer_.run([&](Transaction& tx) {
      int64_t c = outbox_cursor;
      const uint64_t n = WebhookOutbox::reseal(tx, at_rest_, &c, batch_size);
      return std::pair{n, c};
    });
    outbox_cursor = cursor;
    report.payloads += count;
    if (count == 0) break;
    ++report.batches;
    if (count < batch_size) break;
  }
  report.resealed += report.payloads;
  audit_.append({actor, "keys.rotate", "", "data key " + std::to_string(report.key_id), "ok",
                 std::to_string(report.resealed) + " subjects, bodies and webhook payloads (" +
                     std::to_string(report.payloads) + ") re-encrypted in " + std::to_string(report.batches) +
                     " batches of at most " + std::to_string(batch_size)});
  return report;
}

std::size_t ConversationService::body_limit() const {
  return static_cast<std::size_t>(settings_.message_body_max_chars());
}

// ---- who may message whom -------------------------------------------------------------------

Eligibility ConversationService::explain(const ExplainQuery& query) const {
  if (query.patient_id.empty()) throw Error(EHR_STATUS_INVALID_ARGUMENT, "patient_id is empty", "patient_id");
  if (query.staff_user_id.empty() && query.portal_user_id.empty()) {
    throw Error(EHR_STATUS_INVALID_ARGUMENT, "name a staff user, a portal user or both", "staff_user_id");
  }
  const ChartFacts chart = facts_.chart(query.patient_id);
  std::optional<StaffFacts> staff;
  std::optional<PortalUserFacts> portal;
  if (!query.staff_user_id.empty()) staff = facts_.staff(chart, query.staff_user_id);
  if (!query.portal_user_id.empty()) portal = facts_.portal_user(chart, query.portal_user_id);
  return decide_eligibility(facts_.facts(chart, staff, portal));
}

std::vector<Recipient> ConversationService::list_recipients(const Principal& reader,
                                                            const std::string& patient_id) const {
  require_principal(reader, "reader");
  if (reader.kind != PrincipalKind::portal_user) {
    throw Error(EHR_STATUS_INVALID_ARGUMENT, "only a portal user is offered recipients", "reader");
  }
  if (patient_id.empty()) throw Error(EHR_STATUS_INVALID_ARGUMENT, "patient_id is empty", "patient_id");
  const ChartFacts chart = facts_.chart(patient_id);
  const PortalUserFacts portal = facts_.portal_user(chart, reader.id);
  if (Eligibility own = decide_eligibility(facts_.facts(chart, std::nullopt, portal)); !own) {
    throw Error(EHR_STATUS_FORBIDDEN, own.explanation, "reader", own.reason);
  }
  // Care Team only: the care team; Selected users: everyone holding the role. R-MSG-2 then
  // filters either list the same way a send would.
  std::vector<std::string> candidates;
  if (chart.settings.audience == Audience::care_team_only) {
    candidates = chart.care_team;
  } else {
    for (const UserInfo& user : host_.list_users_with_role(kAvailableForPortalMessages)) {
      candidates.push_back(user.id);
    }
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::vector<Recipient> recipients;
  for (const std::string& id : candidates) {
    if (deny_reason(facts_.facts(chart, facts_.staff(chart, id), portal)) == EHR_DENY_NONE) {
      recipients.push_back({Principal::staff(id), display_name(Principal::staff(id))});
    }
  }
  std::sort(recipients.begin(), recipients.end(),
            [](const Recipient& a, const Recipient& b) { return a.display_name < b.display_name; });
  return recipients;
}

Eligibility ConversationService::check_send(const Principal& sender, const ChartFacts& chart,
                                            const std::vector<Principal>& counterparts, bool require_all,
                                            std::vector<Principal>& allowed) const {
  const bool staff_sender = sender.kind == PrincipalKind::staff;
  std::optional<StaffFacts> staff;
  std::optional<PortalUserFacts> portal;
  if (staff_sender) {
    staff = facts_.staff(chart, sender.id);
  } else {
    portal = facts_.portal_user(chart, sender.id);
  }
  // The sender's own standing first: its reason is the one an admin must fix.
  if (Eligibility own = decide_eligibility(facts_.facts(chart, staff, portal)); !own) return own;
  std::optional<Eligibility> first_refusal;
  for (const Principal& to : counterparts) {
    const EligibilityFacts pair = staff_sender ? facts_.facts(chart, staff, facts_.portal_user(chart, to.id))
                                               : facts_.facts(chart, facts_.staff(chart, to.id), portal);
    const ehr_deny_reason reason = deny_reason(pair);
    if (reason == EHR_DENY_NONE) {
      allowed.push_back(to);
    } else if (!first_refusal) {
      first_refusal = Eligibility{reason, explain_reason(pair, reason)};
    }
  }
  if (first_refusal && (require_all || allowed.empty())) return *first_refusal;
  if (allowed.empty()) {
    return {EHR_DENY_NOT_A_CONTACT,
            "No portal user with an active account is a contact on this chart; invite the patient, a "
            "guardian or a "
            "guarantor to the portal first."};
  }
  return {EHR_DENY_NONE, "Allowed."};
}

// ---- sending ------------------------------------------------------------------------------------

SentMessage ConversationService::start_thread(const StartThreadRequest& request) {
  require_principal(request.sender, "sender");
  if (request.patient_id.empty())
    throw Error(EHR_STATUS_INVALID_ARGUMENT, "patient_id is empty", "patient_id");
  validate_subject(request.subject);
  validate_body(request.body, body_limit());

  std::vector<Principal> counterparts = request.recipients;
  const bool staff_sender = request.sender.kind == PrincipalKind::staff;
  for (const Principal& to : counterparts) {
    require_principal(to, "recipients");
    if ((to.kind == PrincipalKind::staff) == staff_sender) {
      throw Error(EHR_STATUS_INVALID_ARGUMENT,
                  staff_sender ? "staff write to the patient's portal users, not to staff"
                               : "a portal user writes to staff, not to portal users",
                  "recipients");
    }
  }
  if (!staff_sender && counterparts.size() != 1) {
    throw Error(EHR_STATUS_INVALID_ARGUMENT,
                "a portal user writes to exactly one recipient from the offered list", "recipients");
  }
  ChartFacts chart = facts_.chart(request.patient_id);
  const bool every_contact = staff_sender && counterparts.empty();
  if (every_contact && chart.patient.exists) {
    for (const PortalUserInfo& contact : host_.list_patient_contacts(request.patient_id)) {
      counterparts.push_back(Principal::portal_user(contact.id));
    }
  }
  // A recipient the sender named must be reachable; "every contact" skips those who are not.
  std::vector<Principal> recipients;
  auto decide = [&] {
    recipients.clear();
    const Eligibility decision = check_send(request.sender, chart, counterparts, !every_contact, recipients);
    if (!decision) {
      refuse(entry(request.sender, "message.send", request.patient_id, "new thread"), EHR_STATUS_FORBIDDEN,
             decision.reason, decision.explanation, "recipients");
    }
  };
  decide();
  run_before_store(request.sender, request.patient_id, 0, request.subject, request.body, "message.send");

  const int64_t now = host_.now_unix_ms();
  auto decide_again = [&] {
    chart = facts_.chart(request.patient_id);
    decide();
  };
  const std::optional<WebhookDraft> draft =
      webhook_draft(request.sender, counterparts, request.patient_id, request.subject, request.body, now);
  const SentMessage sent = write_decided(chart, decide_again, [&](Transaction& tx) {
    ThreadRecord thread = store_.create_thread(tx, request.patient_id, request.subject, request.sender,
                                               recipients, request.body, now);
    AuditEntry audit = entry(request.sender, "message.send", request.patient_id, thread_target(thread.id));
    audit.detail = "new thread, message " + std::to_string(thread.last_message_id) + ", " +
                   std::to_string(recipients.size()) + " recipient(s)";
    audit_.append(tx, std::move(audit));
    if (draft)
      WebhookOutbox::enqueue(tx, at_rest_, *draft, recipients, thread.id, thread.last_message_id, now);
    return SentMessage{thread.id, thread.last_message_id, now};
  });
  after_store(request.sender, request.patient_id, sent, request.subject, request.body, recipients);
  return sent;
}

SentMessage ConversationService::reply(const ReplyRequest& request) {
  require_principal(request.sender, "sender");
  validate_body(request.body, body_limit());
  Access access = check_access(request.sender, request.thread_id, "message.send");
  const ThreadRecord& thread = access.thread;

  // R-MSG-4: the rules are asked again now, toward the other side of the thread.
  std::vector<Principal> counterparts;
  for (const Principal& p : access.participants) {
    if (p.kind != request.sender.kind) counterparts.push_back(p);
  }
  ChartFacts chart = facts_.chart(thread.patient_id);
  std::vector<Principal> recipients;
  auto decide = [&] {
    recipients.clear();
    // Staff reach the portal users still reachable; a portal user needs its staff counterpart.
    const Eligibility decision = check_send(request.sender, chart, counterparts, false, recipients);
    if (!decision) {
      refuse(entry(request.sender, "message.send", thread.patient_id, thread_target(thread.id)),
             EHR_STATUS_FORBIDDEN, decision.reason, decision.explanation);
    }
  };
  decide();
  run_before_store(request.sender, thread.patient_id, thread.id, thread.subject, request.body,
                   "message.send");

  const int64_t now = host_.now_unix_ms();
  auto decide_again = [&] {
    chart = facts_.chart(thread.patient_id);
    decide();
  };
  // The Communication's recipients are the thread's other participants, reachable now or not.
  const std::optional<WebhookDraft> draft = webhook_draft(
      request.sender, access.participants, thread.patient_id, thread.subject, request.body, now);
  const SentMessage sent = write_decided(chart, decide_again, [&](Transaction& tx) {
    MessageRecord message = store_.add_message(tx, thread.id, request.sender, request.body, now);
    AuditEntry audit = entry(request.sender, "message.send", thread.patient_id, thread_target(thread.id));
    audit.detail = "reply, message " + std::to_string(message.id);
    audit_.append(tx, std::move(audit));
    if (draft) WebhookOutbox::enqueue(tx, at_rest_, *draft, access.participants, thread.id, message.id, now);
    return SentMessage{thread.id, message.id, now};
  });
  after_store(request.sender, thread.patient_id, sent, thread.subject, request.body, recipients);
  return sent;
}

SentMessage ConversationService::write_decided(const ChartFacts& chart,
                                               const std::function<void()>& decide_again,
                                               const std::function<SentMessage(Transaction&)>& write) {
  for (;;) {
    std::optional<SentMessage> sent = writer_.run([&](Transaction& tx) -> std::optional<SentMessage> {
      if (!settings_.still_current(tx, chart.settings.version)) return std::nullopt;
      return write(tx);
    });
    if (sent) return *sent;
    // Another writer of the same database changed the settings after the check: decide on the new ones.
    decide_again();
  }
}

std::optional<WebhookDraft> ConversationService::webhook_draft(const Principal& sender,
                                                               const std::vector<Principal>& people,
                                                               const std::string& patient_id,
                                                               const std::string& subject,
                                                               const std::string& body, int64_t at_ms) const {
  if (!webhook_) return std::nullopt;
  return WebhookOutbox::draft(host_, sender, people, patient_id, subject, body, at_ms);
}

// ---- reading --------------------------------------------------------------------------------

std::optional<std::vector<std::string>> ConversationService::visible_charts(const Principal& reader,
                                                                            const char* action) {
  require_principal(reader, "reader");
  const bool staff_reader = reader.kind == PrincipalKind::staff;
  std::optional<bool> active;  // nullopt: the host does not know the reader
  if (staff_reader) {
    if (std::optional<UserInfo> user = host_.get_user(reader.id)) active = user->active;
  } else if (std::optional<PortalUserInfo> user = host_.get_portal_user(reader.id)) {
    active = user->active;
  }
  const std::string who = (staff_reader ? "Staff user '" : "Portal user '") + reader.id + "'";
  if (!active) {
    refuse(entry(reader, action, "", "inbox"), EHR_STATUS_FORBIDDEN, EHR_DENY_UNKNOWN_USER,
           who + " is not known to the host.", "reader");
  }
  if (!*active) {
    refuse(entry(reader, action, "", "inbox"), EHR_STATUS_FORBIDDEN,
           staff_reader ? EHR_DENY_STAFF_INACTIVE : EHR_DENY_PORTAL_ACCOUNT_INACTIVE,
           who + (staff_reader ? " is inactive." : " has an inactive portal account."), "reader");
  }
  if (staff_reader) return std::nullopt;  // staff see the threads they are on, whatever the chart
  return host_.list_contact_charts(reader.id);
}

ConversationService::Access ConversationService::check_access(const Principal& who, int64_t thread_id,
                                                              const char* action) {
  require_principal(who, "reader");
  const std::optional<std::vector<std::string>> charts = visible_charts(who, action);
  Access access;
  bool participant = false;
  {
    Transaction tx(db_, TransactionMode::read);
    auto thread = store_.find_thread_with_participants(tx, thread_id);
    if (thread) {
      access.thread = std::move(thread->first);
      access.participants = std::move(thread->second);
      participant =
          std::find(access.participants.begin(), access.participants.end(), who) != access.participants.end();
    } else {
      access.thread.id = 0;
    }
  }
  if (access.thread.id == 0) {
    AuditEntry probe = entry(who, action, "", thread_target(thread_id));
    refuse(probe, EHR_STATUS_NOT_FOUND, EHR_DENY_NONE,
           "There is no thread " + std::to_string(thread_id) + ".", "thread_id");
  }
  const std::string& patient_id = access.thread.patient_id;
  if (!participant) {
    refuse(entry(who, action, patient_id, thread_target(thread_id)), EHR_STATUS_FORBIDDEN,
           EHR_DENY_NOT_A_PARTICIPANT,
           "Thread " + std::to_string(thread_id) + " is not one of the conversations of " +
               (who.kind == PrincipalKind::staff ? "staff user '" : "portal user '") + who.id + "'.",
           "thread_id");
  }
  // R-CONV-3: a portal user reaches only charts it is a contact on now.
  if (charts && std::find(charts->begin(), charts->end(), patient_id) == charts->end()) {
    refuse(entry(who, action, patient_id, thread_target(thread_id)), EHR_STATUS_FORBIDDEN,
           EHR_DENY_NOT_A_CONTACT,
           "Portal user '" + who.id + "' is no longer a contact on this thread's chart.", "thread_id");
  }
  return access;
}

InboxPage ConversationService::list_threads(const InboxRequest& request) {
  InboxQuery query;
  query.reader = request.reader;
  query.archived = request.archived;
  query.limit = request.limit == 0 ? kDefaultPageSize : std::min(request.limit, kMaxPageSize);
  query.offset = request.offset;
  query.charts = visible_charts(request.reader, "inbox.list");
  InboxPage page;
  Transaction tx(db_, TransactionMode::read);  // one snapshot: the page, the count and the badge agree
  InboxRecords records = store_.inbox_page(tx, query);
  page.threads = std::move(records.threads);
  page.thread_count = records.thread_count;
  page.unread_total = records.unread_total;
  return page;
}

uint64_t ConversationService::unread_total(const Principal& reader) {
  const auto charts = visible_charts(reader, "inbox.badge");
  Transaction tx(db_, TransactionMode::read);
  return store_.unread_total(tx, reader, charts);
}

std::vector<MessageView> ConversationService::read_thread(const Principal& reader, int64_t thread_id) {
  Access access = check_access(reader, thread_id, "message.read");
  std::vector<MessageRecord> messages;
  {
    Transaction tx(db_, TransactionMode::read);
    messages = store_.messages(tx, thread_id);
  }
  const int64_t shown_up_to = messages.empty() ? 0 : messages.back().id;
  writer_.run([&](Transaction& tx) {
    store_.mark_read(tx, thread_id, reader, shown_up_to, host_.now_unix_ms());
    AuditEntry audit = entry(reader, "message.read", access.thread.patient_id, thread_target(thread_id));
    audit.detail =
        std::to_string(messages.size()) + " message(s), up to message " + std::to_string(shown_up_to);
    audit_.append(tx, std::move(audit));
  });

  std::map<std::pair<PrincipalKind, std::string>, std::string> names;  // one host call per sender
  std::vector<MessageView> views;
  views.reserve(messages.size());
  for (MessageRecord& message : messages) {
    auto key = std::make_pair(message.sender.kind, message.sender.id);
    auto it = names.find(key);
    if (it == names.end()) it = names.emplace(key, display_name(message.sender)).first;
    views.push_back({std::move(message), it->second});
  }
  HookEvent event;
  event.point = HookPoint::on_read;
  event.actor = reader;
  event.patient_id = access.thread.patient_id;
  event.thread_id = thread_id;
  event.subject = access.thread.subject;
  hooks_.run(event);
  return views;
}

void ConversationService::set_archived(const Principal& reader, int64_t thread_id, bool archived) {
  const char* action = archived ? "thread.archive" : "thread.unarchive";
  Access access = check_access(reader, thread_id, action);
  writer_.run([&](Transaction& tx) {
    // Archiving an archived thread changes nothing, so there is nothing to record (R-AUD-1).
    if (store_.set_archived(tx, thread_id, reader, archived)) {
      audit_.append(tx, entry(reader, action, access.thread.patient_id, thread_target(thread_id)));
    }
  });
}

// ---- participants ---------------------------------------------------------------------------

bool ConversationService::add_participant(const Principal& actor, int64_t thread_id, const Principal& added) {
  require_principal(actor, "actor");
  require_principal(added, "added");
  if (actor.kind != PrincipalKind::staff) {
    throw Error(EHR_STATUS_INVALID_ARGUMENT, "only staff on the thread add participants", "actor");
  }
  if (added.kind != PrincipalKind::staff) {
    throw Error(EHR_STATUS_INVALID_ARGUMENT,
                "only staff are added to a thread; a portal user reaches it as a contact on the chart",
                "added");
  }
  constexpr const char* kAction = "participant.add";
  Access access = check_access(actor, thread_id, kAction);
  const std::string& patient_id = access.thread.patient_id;
  const ChartFacts chart = facts_.chart(patient_id);
  // The actor's own standing first, as for a send: its reason is the one an admin must fix.
  for (const Principal* staff : {&actor, &added}) {
    const Eligibility decision =
        decide_eligibility(facts_.facts(chart, facts_.staff(chart, staff->id), std::nullopt));
    if (!decision) {
      AuditEntry refused = entry(actor, kAction, patient_id, thread_target(thread_id));
      refused.detail = "staff user " + added.id;
      refuse(std::move(refused), EHR_STATUS_FORBIDDEN, decision.reason, decision.explanation,
             staff == &actor ? "actor" : "added");
    }
  }
  return writer_.run([&](Transaction& tx) {
    // Under the writer, so two concurrent adds of the same colleague leave one row and one record.
    if (!store_.add_participant(tx, thread_id, added)) return false;
    AuditEntry audit = entry(actor, kAction, patient_id, thread_target(thread_id));
    audit.detail = "added staff user " + added.id;
    audit_.append(tx, std::move(audit));
    return true;
  });
}

std::vector<Recipient> ConversationService::list_participants(const Principal& reader, int64_t thread_id) {
  constexpr const char* kAction = "participant.list";
  Access access = check_access(reader, thread_id, kAction);
  writer_.run([&](Transaction& tx) {
    audit_.append(tx, entry(reader, kAction, access.thread.patient_id, thread_target(thread_id)));
  });
  std::vector<Recipient> participants;
  participants.reserve(access.participants.size());
  for (const Principal& who : access.participants) participants.push_back({who, display_name(who)});
  std::sort(participants.begin(), participants.end(), [](const Recipient& a, const Recipient& b) {
    return std::tie(a.display_name, a.principal.id) < std::tie(b.display_name, b.principal.id);
  });
  return participants;
}

std::string ConversationService::check_chart_reader(const Principal& reader, const std::string& patient_id) {
  constexpr const char* kAction = "chart.brand";
  if (patient_id.empty()) throw Error(EHR_STATUS_INVALID_ARGUMENT, "patient_id is empty", "patient_id");
  const std::optional<std::vector<std::string>> charts = visible_charts(reader, kAction);
  // A portal user is answered from its own charts first, so that probing ids tells it nothing about
  // which patients exist.
  if (charts && std::find(charts->begin(), charts->end(), patient_id) == charts->end()) {
    refuse(entry(reader, kAction, patient_id, "chart"), EHR_STATUS_FORBIDDEN, EHR_DENY_NOT_A_CONTACT,
           "Portal user '" + reader.id + "' is not a contact on this chart.", "reader");
  }
  std::optional<PatientInfo> patient = host_.get_patient(patient_id);
  if (!patient) throw Error(EHR_STATUS_NOT_FOUND, "unknown patient '" + patient_id + "'", "patient_id");
  return patient->location_id;
}

// ---- export and import ------------------------------------------------------------------------

namespace {

RecordIdentifier record_identifier(const fhir::Identifier& identifier) {
  return {identifier.system, identifier.value};
}

std::vector<Principal> others(const std::vector<Principal>& participants, const Principal& who) {
  std::vector<Principal> result;
  for (const Principal& p : participants) {
    if (p != who) result.push_back(p);
  }
  return result;
}

// The row id behind one of this store's own identifiers ("<store id>.<id>" in `system`).
std::optional<int64_t> own_row(const RecordIdentifier& identifier, std::string_view system,
                               const std::string& store_id) {
  const std::string prefix = store_id + ".";
  if (identifier.system != system || identifier.value.size() <= prefix.size() ||
      identifier.value.compare(0, prefix.size(), prefix) != 0) {
    return std::nullopt;
  }
  const std::string digits = identifier.value.substr(prefix.size());
  if (digits.size() > 18 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::stoll(digits);
}

}  // namespace

void ConversationService::require_chart_access(const Principal& actor, const std::string& patient_id,
                                               const char* action) {
  if (actor.kind != PrincipalKind::staff) {
    refuse(
        entry(actor, action, patient_id, "chart"), EHR_STATUS_FORBIDDEN, EHR_DENY_NONE,
        "A chart's conversations are exported and imported by staff with access to the chart; portal user '" +
            actor.id + "' reads its own threads in the portal.",
        "actor");
  }
  const ChartFacts chart = facts_.chart(patient_id);
  const Eligibility decision =
      decide_eligibility(facts_.facts(chart, facts_.staff(chart, actor.id), std::nullopt));
  if (!decision) {
    refuse(entry(actor, action, patient_id, "chart"), EHR_STATUS_FORBIDDEN, decision.reason,
           decision.explanation, "actor");
  }
}

std::vector<ExchangedThread> ConversationService::export_chart(const Principal& actor,
                                                               const std::string& patient_id,
                                                               int64_t since_ms) {
  require_principal(actor, "actor");
  if (patient_id.empty()) throw Error(EHR_STATUS_INVALID_ARGUMENT, "patient_id is empty", "patient_id");
  constexpr const char* kAction = "chart.export";
  require_chart_access(actor, patient_id, kAction);
  std::vector<ExchangedThread> threads;
  std::size_t message_count = 0;
  {
    Transaction tx(db_, TransactionMode::read);  // one snapshot of the chart
    const std::string store_id = store_.store_id(tx);
    for (const ThreadRecord& record : store_.patient_threads(tx, patient_id, since_ms)) {
      ExchangedThread thread;
      thread.identifier =
          store_.imported_thread(tx, record.id)
              .value_or(record_identifier(fhir::local_thread_identifier(store_id, record.id)));
      thread.patient_id = record.patient_id;
      thread.subject = record.subject;
      thread.started_by = record.started_by;
      thread.started_at_ms = record.created_at_ms;
      const std::vector<Principal> participants = store_.participants(tx, record.id);
      thread.recipients = others(participants, record.started_by);
      const auto imported = store_.imported_messages(tx, record.id);
      const auto receipts = store_.receipts(tx, record.id);
      RecordIdentifier previous;
      for (MessageRecord& stored : store_.messages(tx, record.id)) {
        ExchangedMessage message;
        const auto origin = std::find_if(imported.begin(), imported.end(),
                                         [&](const auto& entry) { return entry.first == stored.id; });
        if (origin != imported.end()) {
          message.identifier = origin->second.identifier;
          message.in_response_to = origin->second.in_response_to;
          message.received_at_ms = origin->second.received_at_ms;
        } else {
          message.identifier = record_identifier(fhir::local_message_identifier(store_id, stored.id));
          message.in_response_to = previous;
        }
        if (!message.received_at_ms) {
          const auto receipt = std::find_if(receipts.begin(), receipts.end(),
                                            [&](const auto& entry) { return entry.first == stored.id; });
          if (receipt != receipts.end()) message.received_at_ms = receipt->second;
        }
        previous = message.identifier;
        message.recipients = others(participants, stored.sender);
        message.sender = std::move(stored.sender);
        message.body = std::move(stored.body);
        message.sent_at_ms = stored.sent_at_ms;
        thread.messages.push_back(std::move(message));
      }
      message_count += thread.messages.size();
      threads.push_back(std::move(thread));
    }
  }
  writer_.run([&](Transaction& tx) {
    AuditEntry audit = entry(actor, kAction, patient_id, "chart");
    audit.detail =
        std::to_string(threads.size()) + " thread(s), " + std::to_string(message_count) + " message(s)";
    if (since_ms != 0) audit.detail += ", since " + std::to_string(since_ms);
    audit_.append(tx, std::move(audit));
  });
  return threads;
}

ImportCounts ConversationService::import_threads(const Principal& actor,
                                                 const std::vector<ExchangedThread>& threads) {
  require_principal(actor, "actor");
  constexpr const char* kAction = "chart.import";
  // Every record is checked before anything is written: a refused import stores nothing.
  std::set<std::string> charts;
  std::set<Principal> people;
  for (std::size_t i = 0; i < threads.size(); ++i) {
    const ExchangedThread& thread = threads[i];
    const std::string where = "thread record " + std::to_string(i);
    if (thread.identifier.system.empty() || thread.identifier.value.empty())
      throw Error(EHR_STATUS_INVALID_ARGUMENT, where + " has no identifier (system and value)", "threads");
    if (thread.patient_id.empty())
      throw Error(EHR_STATUS_INVALID_ARGUMENT, where + " names no patient", "threads");
    if (thread.messages.empty())
      throw Error(EHR_STATUS_INVALID_ARGUMENT, where + " has no message", "threads");
    validate_subject(thread.subject);
    if (charts.insert(thread.patient_id).second) require_chart_access(actor, thread.patient_id, kAction);
    std::vector<const Principal*> named = {&thread.started_by};
    for (const Principal& p : thread.recipients) named.push_back(&p);
    for (const ExchangedMessage& message : thread.messages) {
      if (message.identifier.system.empty() || message.identifier.value.empty())
        throw Error(EHR_STATUS_INVALID_ARGUMENT, where + " has a message without an identifier", "threads");
      validate_body(message.body, body_limit());
      named.push_back(&message.sender);
      for (const Principal& p : message.recipients) named.push_back(&p);
    }
    for (const Principal* who : named) {
      require_principal(*who, "threads");
      if (!people.insert(*who).second) continue;
      const bool known =
          who->is_staff() ? host_.get_user(who->id).has_value() : host_.get_portal_user(who->id).has_value();
      if (!known) {
        AuditEntry refused = entry(actor, kAction, thread.patient_id, "chart");
        refused.detail = "unknown " + std::string(who->is_staff() ? "staff user " : "portal user ") + who->id;
        refuse(std::move(refused), EHR_STATUS_FORBIDDEN, EHR_DENY_UNKNOWN_USER,
               "The records name " + std::string(who->is_staff() ? "staff user '" : "portal user '") +
                   who->id +
                   "', whom this host does not know; nothing was imported. Add the person to the host (or "
                   "change the records to name one it knows) and import again.",
               "threads");
      }
    }
  }
  return writer_.run([&](Transaction& tx) {
    ImportCounts counts;
    const std::string store_id = store_.store_id(tx);
    for (const ExchangedThread& thread : threads) {
      std::vector<Principal> participants = thread.recipients;
      for (const ExchangedMessage& message : thread.messages) {
        participants.push_back(message.sender);
        participants.insert(participants.end(), message.recipients.begin(), message.recipients.end());
      }
      std::sort(participants.begin(), participants.end());
      participants.erase(std::unique(participants.begin(), participants.end()), participants.end());
      participants = others(participants, thread.started_by);

      std::optional<int64_t> thread_id = own_row(thread.identifier, fhir::kThreadSystem, store_id);
      if (thread_id && !store_.find_thread(tx, *thread_id)) thread_id.reset();
      if (!thread_id) thread_id = store_.find_imported_thread(tx, thread.identifier);
      if (!thread_id) {
        thread_id = store_.import_thread(tx, thread.patient_id, thread.subject, thread.started_by,
                                         participants, thread.started_at_ms, thread.identifier);
        ++counts.threads_added;
        AuditEntry audit = entry(actor, "thread.import", thread.patient_id, thread_target(*thread_id));
        audit.detail = "imported as " + thread.identifier.system + "|" + thread.identifier.value;
        audit_.append(tx, std::move(audit));
      } else {
        for (const Principal& p : participants) store_.add_participant(tx, *thread_id, p);
      }
      for (const ExchangedMessage& message : thread.messages) {
        const std::optional<int64_t> own = own_row(message.identifier, fhir::kMessageSystem, store_id);
        if (own ? store_.has_message(tx, *thread_id, *own)
                : store_.has_imported_message(tx, message.identifier))
          continue;
        const int64_t message_id =
            store_.import_message(tx, *thread_id, message.sender, message.body, message.sent_at_ms,
                                  {message.identifier, message.in_response_to, message.received_at_ms});
        ++counts.messages_added;
        AuditEntry audit = entry(actor, "message.import", thread.patient_id, thread_target(*thread_id));
        audit.detail = "message " + std::to_string(message_id) + " imported as " + message.identifier.system +
                       "|" + message.identifier.value;
        audit_.append(tx, std::move(audit));
      }
    }
    return counts;
  });
}

// ---- hooks, refusals, names -----------------------------------------------------------------

void ConversationService::run_before_store(const Principal& sender, const std::string& patient_id,
                                           int64_t thread_id, const std::string& subject,
                                           const std::string& body, const char* action) {
  HookEvent event;
  event.point = HookPoint::before_store;
  event.actor = sender;
  event.patient_id = patient_id;
  event.thread_id = thread_id;
  event.subject = subject;
  event.body = body;
  std::optional<std::string> rejection = hooks_.run_before_store(event);
  if (rejection) {
    refuse(entry(sender, action, patient_id, thread_id == 0 ? "new thread" : thread_target(thread_id)),
           EHR_STATUS_REJECTED, EHR_DENY_NONE, "An integrator hook rejected the message: " + *rejection);
  }
}

void ConversationService::after_store(const Principal& sender, const std::string& patient_id,
                                      const SentMessage& sent, const std::string& subject,
                                      const std::string& body, const std::vector<Principal>& recipients) {
  HookEvent event;
  event.point = HookPoint::after_store;
  event.actor = sender;
  event.patient_id = patient_id;
  event.thread_id = sent.thread_id;
  event.message_id = sent.message_id;
  event.subject = subject;
  event.body = body;
  if (webhook_) webhook_->wake();  // the row is committed; the worker sends it when it can
  hooks_.run(event);

  if (!notifier_) return;
  NewMessageNotice notice{patient_id, sent.thread_id, sent.message_id, sender, {}};
  for (const Principal& to : recipients) {
    notice.recipients.push_back(
        {to, to.kind == PrincipalKind::staff ? Delivery::in_app : Delivery::portal_contact});
  }
  try {
    notifier_(notice);
  } catch (const std::exception& e) {
    // The message is stored and acknowledged; a notice that failed must not say otherwise.
    host_.log(LogLevel::warning, std::string("a new-message notification failed: ") + e.what());
  } catch (...) {
    host_.log(LogLevel::warning, "a new-message notification failed");
  }
}

void ConversationService::refuse(AuditEntry refused, ehr_status code, ehr_deny_reason reason,
                                 const std::string& message, const std::string& field) {
  refused.outcome = reason != EHR_DENY_NONE ? ehr_deny_reason_name(reason) : ehr_status_name(code);
  writer_.run([&](Transaction& tx) { audit_.append(tx, refused); });
  throw Error(code, message, field, reason);
}

std::string ConversationService::display_name(const Principal& who) const {
  if (who.kind == PrincipalKind::staff) {
    if (std::optional<UserInfo> user = host_.get_user(who.id)) return user->display_name;
  } else if (std::optional<PortalUserInfo> user = host_.get_portal_user(who.id)) {
    return user->display_name;
  }
  return who.id;
}

}  // namespace ehr::portal
