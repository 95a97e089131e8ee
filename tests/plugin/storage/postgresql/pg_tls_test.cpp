// The admin's connection string reaches libpq as written, TLS settings included (R-STORE-2;
// docs/admins.md "Configuration and TLS"): against a server of the test's own that takes TLS on a
// loopback port, with a throw-away CA (scripts/pg-cluster --tls), `sslmode=verify-full` talks
// encrypted to the server whose certificate that CA signed, and refuses one it cannot verify,
// saying why and never repeating the connection string.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "common/error.hpp"
#include "common/storage.hpp"
#include "storage/postgresql/pg_store.hpp"
#include "storage/transaction.hpp"
#include "support/temp_dir.hpp"

namespace ehr::portal::pg {
namespace {

// A loopback port nothing listens on now (the kernel's pick).
int free_loopback_port() {
  const int sock = socket(AF_INET, SOCK_STREAM, 0);
  if (sock < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int port = 0;
  if (bind(sock, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      getsockname(sock, reinterpret_cast<sockaddr*>(&address), &length) == 0)
    port = ntohs(address.sin_port);
  close(sock);
  return port;
}

class PostgresqlTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<test::TempDir>();
    port_ = free_loopback_port();
    ASSERT_NE(port_, 0);
    ASSERT_EQ(cluster("start", " --port " + std::to_string(port_) + " --tls"), 0);
  }
  static void TearDownTestSuite() {
    (void)cluster("stop", "");
    dir_.reset();
  }

  static int cluster(const std::string& command, const std::string& options) {
    const std::string line = std::string(EHR_PG_CLUSTER_SCRIPT) + " " + command + " " +
                             dir_->path().string() + options + " >/dev/null";
    return std::system(line.c_str());
  }

  // Over TCP to the test's server, named `host`; `tls` is the connection string's TLS part.
  static PgStoreOptions over_tcp(const std::string& tls, const std::string& host = "host=localhost") {
    PgStoreOptions options;
    options.conninfo = host + " port=" + std::to_string(port_) +
                       " user=ehr dbname=postgres password=not-repeated-anywhere connect_timeout=10 " + tls;
    options.pool_size = 1;
    return options;
  }
  static std::string ca() { return (dir_->path() / "tls" / "ca.crt").string(); }

  static std::unique_ptr<test::TempDir> dir_;
  static int port_;
};

std::unique_ptr<test::TempDir> PostgresqlTls::dir_;
int PostgresqlTls::port_ = 0;

TEST_F(PostgresqlTls, R_STORE_2_VerifyFullTalksEncryptedToTheServerItsCaSigned) {
  PgStore store(over_tcp("sslmode=verify-full sslrootcert=" + ca()));
  {
    Transaction tx(store);
    tx.execute_script("CREATE TABLE IF NOT EXISTS notes (id BIGINT PRIMARY KEY, text TEXT NOT NULL)");
    tx.prepare("INSERT INTO notes (id, text) VALUES (?1, ?2)").bind_all(1, "over TLS").run();
    tx.commit();
  }
  Transaction tx(store, TransactionMode::read);
  Statement session = tx.prepare(
      "SELECT s.ssl, s.version, n.text FROM pg_stat_ssl s, notes n WHERE s.pid = pg_backend_pid() AND n.id = "
      "?1");
  session.bind(1, 1);
  ASSERT_TRUE(session.step());
  EXPECT_EQ(session.int64(0), 1) << "the session is not encrypted";
  EXPECT_EQ(session.text(1).rfind("TLSv1.", 0), 0u) << session.text(1);
  EXPECT_EQ(session.text(2), "over TLS");
}

TEST_F(PostgresqlTls, R_STORE_2_AServerNotSignedByTheGivenCaIsRefusedSayingWhy) {
  // The system's CAs never signed the throw-away one: the server cannot be verified.
  try {
    PgStore store(over_tcp("sslmode=verify-full sslrootcert=/etc/ssl/certs/ca-certificates.crt"));
    ADD_FAILURE() << "connected to a server its CA did not sign";
  } catch (const Error& refused) {
    const std::string said = refused.what();
    EXPECT_EQ(refused.code(), EHR_STATUS_STORAGE);
    EXPECT_NE(said.find("certificate verify failed"), std::string::npos) << said;
    EXPECT_NE(said.find("port " + std::to_string(port_)), std::string::npos) << "names the server: " << said;
    EXPECT_EQ(said.find("not-repeated-anywhere"), std::string::npos) << "repeats the password: " << said;
  }
}

TEST_F(PostgresqlTls, R_STORE_2_VerifyFullRefusesAServerAnsweringForAnotherName) {
  // The right address and CA, but the admin named another server: its certificate is not for it.
  try {
    PgStore store(
        over_tcp("sslmode=verify-full sslrootcert=" + ca(), "host=db1.example.org hostaddr=127.0.0.1"));
    ADD_FAILURE() << "connected to a server whose certificate names another host";
  } catch (const Error& refused) {
    EXPECT_NE(std::string(refused.what()).find("does not match host name \"db1.example.org\""),
              std::string::npos)
        << refused.what();
  }
}

}  // namespace
}  // namespace ehr::portal::pg
