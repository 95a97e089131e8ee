// `ehr-host serve`: the web console and the patient portal over HTTP(S), and
// `ehr-host users set-password`, which gives staff and portal users their sign-in passwords.
#include <httplib.h>
#include <pthread.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <thread>

#include "commands.hpp"
#include "web_app.hpp"

namespace ehr::sample::cli {

namespace {

struct ListenAddress {
  std::string host;
  int port = 0;
};

ListenAddress parse_listen(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0)
    usage_error("--listen wants ADDRESS:PORT, not '" + text + "'");
  ListenAddress address{text.substr(0, colon), -1};
  const std::string port = text.substr(colon + 1);
  try {
    std::size_t used = 0;
    address.port = std::stoi(port, &used);
    if (used != port.size()) address.port = -1;
  } catch (const std::exception&) {
    address.port = -1;
  }
  if (address.port < 0 || address.port > 65535) usage_error("--listen: '" + port + "' is not a port number");
  return address;
}

std::filesystem::path web_root() {
  const char* root = std::getenv("EHR_HOST_WEB");
  return root != nullptr && *root != '\0' ? root : EHR_HOST_WEB_DIR;
}

void serve(Context& context, CommandLine& args) {
  const ListenAddress listen = parse_listen(args.option("--listen").value_or("127.0.0.1:8080"));
  const std::optional<std::string> cert = args.option("--tls-cert");
  const std::optional<std::string> key = args.option("--tls-key");
  args.no_positionals();
  if (cert.has_value() != key.has_value()) usage_error("give both --tls-cert and --tls-key, or neither");
  const bool tls = cert.has_value();

  // Before any thread starts, so that every thread inherits the mask and only the waiter below
  // takes SIGINT/SIGTERM.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  web::WebApp app(context.host(), {web_root(), tls});
  web::add_staff_pages(app);
  web::add_portal_pages(app);

  std::unique_ptr<httplib::Server> server;
  if (tls) {
    server = std::make_unique<httplib::SSLServer>(cert->c_str(), key->c_str());
  } else {
    server = std::make_unique<httplib::Server>();
  }
  if (!server->is_valid()) {
    throw CommandError(kExitError, "cannot use the TLS certificate " + *cert + " with the key " + *key);
  }
  // One worker per concurrently open connection (browsers keep connections alive).
  server->new_task_queue = [] { return new httplib::ThreadPool(64); };
  server->set_payload_max_length(1 << 20);
  app.install(*server);

  const int port = listen.port == 0 ? server->bind_to_any_port(listen.host)
                                    : (server->bind_to_port(listen.host, listen.port) ? listen.port : -1);
  if (port <= 0) {
    throw CommandError(kExitError, "cannot listen on " + listen.host + ":" + std::to_string(listen.port) +
                                       " (in use, or not an address of this machine)");
  }
  std::cout << "Serving on " << (tls ? "https" : "http") << "://" << listen.host << ':' << port
            << "/  (staff: /login, portal users: /portal/login; Ctrl-C stops)" << std::endl;

  std::thread waiter([&] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    server->stop();
  });
  const bool listened = server->listen_after_bind();
  // Wakes the waiter when the server stopped by itself.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  // In-flight requests have finished; the plugins shut down with the host (Context).
  if (!listened && server->is_running()) throw CommandError(kExitError, "the server stopped unexpectedly");
  std::cout << "Stopped." << std::endl;
}

// A password from stdin: one line, without echo on a terminal.
std::string read_password() {
  const bool terminal = ::isatty(STDIN_FILENO) == 1;
  termios saved{};
  if (terminal) {
    std::cerr << "New password (at least " << web::PasswordStore::kMinimumLength
              << " characters): " << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string password;
  std::getline(std::cin, password);
  if (terminal) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << '\n';
  }
  return password;
}

void set_password(Context& context, CommandLine& args) {
  const std::string who = args.single_positional("USER or portal:ID");
  SampleHost& host = context.host();
  const ehr::host::Principal principal = host.principal(who);
  const std::string password = read_password();
  try {
    web::PasswordStore(host.paths().data_directory).set(principal_text(principal), password);
  } catch (const std::invalid_argument& bad) {
    throw CommandError(kExitRefused, std::string("bad value: ") + bad.what(), "bad value", "password");
  } catch (const std::runtime_error& failed) {
    throw CommandError(kExitError, failed.what());
  }
  context.out().emit(
      {{"principal", principal_text(principal)}, {"password_set", true}}, [&](std::ostream& out) {
        out << "Password set for " << host.display_name(principal) << " (" << principal_text(principal)
            << "); they sign in at "
            << (principal.kind == ehr::host::PrincipalKind::portal_user ? "/portal/login" : "/login")
            << ".\n";
      });
}

}  // namespace

const CommandGroup& serve_commands() {
  static const CommandGroup group{
      "serve",
      "the web console and patient portal (HTTP, or HTTPS with --tls-cert/--tls-key)",
      {
          {"serve", "serve [--listen ADDRESS:PORT] [--tls-cert FILE --tls-key FILE]",
           "Serves the staff console (Settings, Manage Users, Assign Roles, Plugins, Messages, Audit) and "
           "the "
           "patient portal (/portal), with the JSON API under /api/v1/. Listens on 127.0.0.1:8080 by default "
           "(port 0: any free port); SIGINT or SIGTERM stops it after the requests in flight. Sign-in "
           "passwords are set with `ehr-host users set-password`. Env EHR_HOST_WEB: the folder of templates/ "
           "and static/.",
           serve},
      }};
  return group;
}

Command set_password_command() {
  return {"set-password", "users set-password (USER | portal:ID)",
          "Sets the sign-in password of a staff user or a portal user for `ehr-host serve`, read from stdin "
          "(one line; not echoed on a terminal). Stored as an argon2id hash in the data directory.",
          set_password};
}

}  // namespace ehr::sample::cli
