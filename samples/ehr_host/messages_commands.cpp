// ehr-host messages ...: the messaging channel as staff and portal users use it. The host only
// names who acts; the plugin checks every call against settings, roles, care teams and contacts.
#include <unistd.h>

#include <iomanip>
#include <iostream>
#include <ostream>

#include "commands.hpp"

namespace ehr::sample::cli {

namespace host = ehr::host;

namespace {

std::int64_t thread_id(const std::string& text) {
  return positive_id(text, "THREAD", "a thread number");
}

// Far above any body the plugin accepts (its limit is in characters, at most 4 bytes each), and
// small enough that a huge stdin is refused without being held in memory.
constexpr std::size_t kMaxStdinBodyBytes = std::size_t{1} << 20;

// --body TEXT, or everything on stdin (so a long or multi-line message needs no quoting).
std::string body(const std::optional<std::string>& option) {
  if (option) return *option;
  if (::isatty(STDIN_FILENO) == 1) {
    // Someone at a terminal who forgot --body would otherwise face a silent wait.
    std::cerr << "Type the message, then press Ctrl-D on a line of its own (Ctrl-C cancels; --body TEXT or "
                 "a pipe, e.g. `ehr-host messages send ... < message.txt`, give it without typing):\n"
              << std::flush;
  }
  std::string text(kMaxStdinBodyBytes + 1, '\0');
  std::cin.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(std::cin.gcount()));
  if (text.size() > kMaxStdinBodyBytes)
    throw CommandError(kExitRefused,
                       "the body on stdin is longer than " + std::to_string(kMaxStdinBodyBytes) +
                           " bytes; it was not read further, and nothing was sent",
                       "invalid_argument", "body");
  return text;
}

nlohmann::ordered_json sent_json(const host::Sent& sent) {
  return {{"thread", sent.thread_id},
          {"message", sent.message_id},
          {"sent_at", format_time(sent.sent_at_unix_ms)}};
}

void recipients(Context& context, CommandLine& args) {
  SampleHost& sample = context.host();
  const host::Principal reader = sample.principal(args.required_option("--as"));
  const std::string patient = sample.patient(args.required_option("--patient")).id;
  args.no_positionals();
  const std::vector<host::Recipient> offered = checked(sample.channel().list_recipients(reader, patient));
  nlohmann::ordered_json data = nlohmann::ordered_json::array();
  for (const host::Recipient& recipient : offered) {
    data.push_back({{"principal", principal_text(recipient.principal)}, {"name", recipient.display_name}});
  }
  context.out().emit({{"patient", patient}, {"recipients", data}}, [&](std::ostream& out) {
    out << sample.display_name(reader) << " may write about " << patient << " to " << offered.size()
        << (offered.size() == 1 ? " person" : " people") << (offered.empty() ? "." : ":") << '\n';
    for (const host::Recipient& recipient : offered) {
      out << "  " << std::left << std::setw(16) << principal_text(recipient.principal)
          << recipient.display_name << '\n';
    }
  });
}

void send(Context& context, CommandLine& args) {
  SampleHost& sample = context.host();
  host::StartRequest request;
  request.sender = sample.principal(args.required_option("--as"));
  request.patient_id = sample.patient(args.required_option("--patient")).id;
  for (const std::string& to : args.options("--to")) request.recipients.push_back(sample.principal(to));
  request.subject = args.option("--subject").value_or("");
  const std::optional<std::string> text = args.option("--body");
  args.no_positionals();
  if (request.sender.kind == host::PrincipalKind::portal_user && request.recipients.empty()) {
    // Before the body is read: a portal user chooses one of the staff the plugin offers.
    usage_error(
        "a portal user writes to one person: give --to with one of the staff that `ehr-host messages "
        "recipients --as " +
        principal_text(request.sender) + " --patient " + request.patient_id + "` lists");
  }
  request.body = body(text);
  const host::Sent sent = checked(sample.channel().start_thread(request));
  context.out().emit(sent_json(sent), [&](std::ostream& out) {
    out << "Sent: thread " << sent.thread_id << ", message " << sent.message_id << ", at "
        << format_time(sent.sent_at_unix_ms) << '\n';
  });
}

void reply(Context& context, CommandLine& args) {
  SampleHost& sample = context.host();
  host::ReplyRequest request;
  request.sender = sample.principal(args.required_option("--as"));
  const std::optional<std::string> text = args.option("--body");
  request.thread_id = thread_id(args.single_positional("THREAD"));
  request.body = body(text);
  const host::Sent sent = checked(sample.channel().reply(request));
  context.out().emit(sent_json(sent), [&](std::ostream& out) {
    out << "Replied: thread " << sent.thread_id << ", message " << sent.message_id << ", at "
        << format_time(sent.sent_at_unix_ms) << '\n';
  });
}

void inbox(Context& context, CommandLine& args) {
  SampleHost& sample = context.host();
  host::ListRequest request;
  request.reader = sample.principal(args.required_option("--as"));
  request.archived = args.flag("--archived");
  args.no_positionals();
  const host::ThreadList list = checked(sample.channel().list_threads(request));
  nlohmann::ordered_json threads = nlohmann::ordered_json::array();
  for (const host::ThreadSummary& thread : list.threads) {
    threads.push_back({{"thread", thread.thread_id},
                       {"patient", thread.patient_id},
                       {"subject", thread.subject},
                       {"started_by", principal_text(thread.started_by)},
                       {"last_sender", principal_text(thread.last_sender)},
                       {"last_message_at", format_time(thread.last_message_at_unix_ms)},
                       {"messages", thread.message_count},
                       {"unread", thread.unread_count},
                       {"archived", thread.archived}});
  }
  const nlohmann::ordered_json data = {{"reader", principal_text(request.reader)},
                                       {"archived", request.archived},
                                       {"thread_count", list.totals.thread_count},
                                       {"unread_total", list.totals.unread_total},
                                       {"threads", threads}};
  context.out().emit(data, [&](std::ostream& out) {
    out << (request.archived ? "Archived threads of " : "Inbox of ") << sample.display_name(request.reader)
        << ": " << list.totals.thread_count << " thread" << (list.totals.thread_count == 1 ? "" : "s") << ", "
        << list.totals.unread_total << " unread\n";
    for (const host::ThreadSummary& thread : list.threads) {
      const Patient* patient = sample.practice().find_patient(thread.patient_id);
      out << "  #" << std::left << std::setw(5) << thread.thread_id << (thread.unread_count > 0 ? "* " : "  ")
          << '"' << (thread.subject.empty() ? "(no subject)" : thread.subject) << "\"  about "
          << (patient != nullptr ? patient->name : thread.patient_id) << "  last from "
          << sample.display_name(thread.last_sender) << " at " << format_time(thread.last_message_at_unix_ms)
          << "  " << thread.message_count << " message" << (thread.message_count == 1 ? "" : "s") << ", "
          << thread.unread_count << " unread\n";
    }
  });
}

void read(Context& context, CommandLine& args) {
  SampleHost& sample = context.host();
  const host::Principal reader = sample.principal(args.required_option("--as"));
  const std::int64_t id = thread_id(args.single_positional("THREAD"));
  const std::vector<host::MessageView> messages = checked(sample.channel().read_thread(reader, id));
  nlohmann::ordered_json data = nlohmann::ordered_json::array();
  for (const host::MessageView& message : messages) {
    data.push_back({{"message", message.message_id},
                    {"sender", principal_text(message.sender)},
                    {"sender_name", message.sender_display_name},
                    {"sent_at", format_time(message.sent_at_unix_ms)},
                    {"body", message.body}});
  }
  context.out().emit({{"thread", id}, {"messages", data}}, [&](std::ostream& out) {
    out << "Thread " << id << ", " << messages.size() << " message" << (messages.size() == 1 ? "" : "s")
        << '\n';
    for (const host::MessageView& message : messages) {
      out << "\n  " << format_time(message.sent_at_unix_ms) << "  " << message.sender_display_name << " ("
          << principal_text(message.sender) << ")\n";
      print_indented(out, message.body, "    ");
    }
  });
}

void set_archived(Context& context, CommandLine& args, bool archived) {
  SampleHost& sample = context.host();
  const host::Principal reader = sample.principal(args.required_option("--as"));
  const std::int64_t id = thread_id(args.single_positional("THREAD"));
  checked(sample.channel().set_archived(reader, id, archived));
  context.out().emit({{"thread", id}, {"archived", archived}}, [&](std::ostream& out) {
    out << "Thread " << id << (archived ? " archived" : " back in the inbox") << " for "
        << sample.display_name(reader) << ".\n";
  });
}

void archive(Context& context, CommandLine& args) {
  set_archived(context, args, true);
}
void unarchive(Context& context, CommandLine& args) {
  set_archived(context, args, false);
}

void add(Context& context, CommandLine& args) {
  SampleHost& sample = context.host();
  const host::Principal actor = sample.principal(args.required_option("--as"));
  const host::Principal added = sample.principal(args.required_option("--user"));
  const std::int64_t id = thread_id(args.single_positional("THREAD"));
  const bool was_added = checked(sample.channel().add_participant(actor, id, added));
  context.out().emit(
      {{"thread", id}, {"user", principal_text(added)}, {"added", was_added}}, [&](std::ostream& out) {
        out << sample.display_name(added)
            << (was_added ? " now takes part in thread " : " already takes part in thread ") << id << ".\n";
      });
}

void participants(Context& context, CommandLine& args) {
  SampleHost& sample = context.host();
  const host::Principal reader = sample.principal(args.required_option("--as"));
  const std::int64_t id = thread_id(args.single_positional("THREAD"));
  const std::vector<host::Recipient> everyone = checked(sample.channel().list_participants(reader, id));
  nlohmann::ordered_json data = nlohmann::ordered_json::array();
  for (const host::Recipient& participant : everyone) {
    data.push_back(
        {{"principal", principal_text(participant.principal)}, {"name", participant.display_name}});
  }
  context.out().emit({{"thread", id}, {"participants", data}}, [&](std::ostream& out) {
    out << "Thread " << id << ", " << everyone.size()
        << (everyone.size() == 1 ? " participant" : " participants") << ":\n";
    for (const host::Recipient& participant : everyone) {
      out << "  " << std::left << std::setw(16) << principal_text(participant.principal)
          << participant.display_name << '\n';
    }
  });
}

void explain(Context& context, CommandLine& args) {
  SampleHost& sample = context.host();
  host::ExplainRequest request;
  // Unknown ids are not found (exit 4), not a "Not allowed" answer about someone who does not exist.
  request.staff_user_id = sample.user(args.required_option("--staff")).id;
  request.patient_id = sample.patient(args.required_option("--patient")).id;
  if (std::optional<std::string> portal = args.option("--portal")) {
    request.portal_user_id =
        sample.portal_user(portal->starts_with("portal:") ? portal->substr(7) : *portal).id;
  }
  args.no_positionals();
  const host::Decision decision = checked(sample.channel().explain(request));
  nlohmann::ordered_json data = {{"allowed", decision.allowed}, {"explanation", decision.explanation}};
  if (!decision.allowed) data["reason"] = deny_reason_name(decision.reason);
  context.out().emit(data, [&](std::ostream& out) {
    // The plugin's words may already say which way it went; do not say it twice.
    const bool says_so =
        decision.explanation.starts_with("Allowed") || decision.explanation.starts_with("Not allowed");
    if (!says_so) out << (decision.allowed ? "Allowed: " : "Not allowed: ");
    out << decision.explanation << '\n';
  });
}

}  // namespace

const CommandGroup& messages_commands() {
  static const CommandGroup group{
      "messages",
      "My Messages: conversations between care teams and portal users",
      {
          {"recipients", "messages recipients --as portal:ID --patient P",
           "The staff a portal user may write to about patient P: exactly the allowed set.", recipients},
          {"send", "messages send --as PRINCIPAL --patient P [--to PRINCIPAL...] [--subject S] [--body TEXT]",
           "Starts a thread about patient P. Staff write to the chart's portal users (--to picks some; "
           "without "
           "it, every eligible one); a portal user writes to one offered recipient. Without --body the body "
           "is "
           "read from stdin. A PRINCIPAL is a staff user id or portal:ID.",
           send},
          {"reply", "messages reply THREAD --as PRINCIPAL [--body TEXT]",
           "Replies in a thread; the rules are checked again. Without --body the body is read from stdin.",
           reply},
          {"inbox", "messages inbox --as PRINCIPAL [--archived]",
           "Threads newest first with unread counts and the unread badge (--archived: the archived ones).",
           inbox},
          {"read", "messages read THREAD --as PRINCIPAL",
           "Shows a thread oldest first and marks it read for you.", read},
          {"archive", "messages archive THREAD --as PRINCIPAL",
           "Archives a thread for you only; a new message brings it back.", archive},
          {"unarchive", "messages unarchive THREAD --as PRINCIPAL",
           "Puts an archived thread back in your inbox.", unarchive},
          {"add", "messages add THREAD --as USER --user USER",
           "Brings staff USER into a thread you take part in. USER must be allowed to message about the "
           "thread's patient, as for a send; from then on USER reads and replies like any participant, "
           "earlier messages included. Adding someone already on the thread changes nothing.",
           add},
          {"participants", "messages participants THREAD --as PRINCIPAL",
           "Who takes part in a thread, added colleagues included, for anyone who may read it.",
           participants},
          {"explain", "messages explain --staff USER --patient P [--portal ID]",
           "Says whether USER may message about P (and with portal user ID), and why, without sending "
           "anything.",
           explain},
      }};
  return group;
}

}  // namespace ehr::sample::cli
