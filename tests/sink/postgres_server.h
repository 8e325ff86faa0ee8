// A real PostgreSQL 15 from Debian's packages (postgresql-15) for the [postgres] tests and the
// sink benchmark: initdb and pg_ctl in a temporary directory, listening only on a Unix socket in
// that directory, stopped (immediately) and removed when the object goes away, also after a
// failed REQUIRE. PostgreSQL refuses to run as root, so when we are root (tests and CI are) the
// server runs as `nobody` (runuser, from util-linux), owning only its own directory.
#pragma once

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>

namespace grantledger::testing {

inline constexpr const char* kPostgresBin = "/usr/lib/postgresql/15/bin";

class PostgresServer {
 public:
  // Starts the server; throws std::runtime_error (with the server's log) when it cannot.
  PostgresServer() {
    std::random_device rd;
    root_ = (std::filesystem::temp_directory_path() /
             ("grantledger-pg-" + std::to_string(rd()) + std::to_string(rd())))
                .string();
    std::filesystem::create_directories(root_ + "/pg");
    ::chmod(root_.c_str(), 0755);
    if (::geteuid() == 0) {
      const passwd* nobody = ::getpwnam("nobody");
      if (nobody == nullptr) throw std::runtime_error("PostgresServer: no user nobody");
      if (::chown((root_ + "/pg").c_str(), nobody->pw_uid, nobody->pw_gid) != 0)
        throw std::runtime_error("PostgresServer: chown failed");
      // From a directory nobody may enter: the caller's (a checkout under /root) may be closed to
      // it.
      as_user_ = "cd " + root_ + " && runuser -u nobody -- ";
    }
    const std::string bin = kPostgresBin;
    run_or_throw(as_user_ + bin + "/initdb -D " + data() +
                     " -A trust -U postgres --no-sync -E UTF8 --locale=C >" + root_ +
                     "/initdb.log 2>&1",
                 root_ + "/initdb.log");
    run_or_throw(as_user_ + bin + "/pg_ctl -D " + data() + " -w -t 60 -l " + log() + " -o \"-k " +
                     socket_dir() + " -c listen_addresses='' -F\" start >" + root_ +
                     "/pg_ctl.log 2>&1",
                 log());
    started_ = true;
  }
  ~PostgresServer() {
    if (started_) {
      int rc = std::system(
          (as_user_ + kPostgresBin + "/pg_ctl -D " + data() + " -m immediate stop >/dev/null 2>&1")
              .c_str());
      (void)rc;  // nothing more to do if it fails: the directory goes anyway
    }
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // A libpq URI for database `db` as the superuser `postgres`.
  std::string dsn(const std::string& db = "postgres") const {
    return "postgresql:///" + db + "?host=" + socket_dir() + "&user=postgres";
  }
  // Runs SQL through psql (tests: ALTER TABLE by hand, CREATE DATABASE); returns psql's exit code
  // and puts its output (unaligned, tuples only) in *out.
  int psql(const std::string& sql, std::string* out = nullptr,
           const std::string& db = "postgres") const {
    std::ofstream(root_ + "/q.sql") << sql;
    int raw = std::system(("psql -X -q -A -t -v ON_ERROR_STOP=1 '" + dsn(db) + "' -f " + root_ +
                           "/q.sql >" + root_ + "/q.out 2>&1")
                              .c_str());
    if (out) *out = read(root_ + "/q.out");
    return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  }
  std::string socket_dir() const { return root_ + "/pg"; }
  std::string server_log() const { return read(log()); }

 private:
  std::string data() const { return root_ + "/pg/data"; }
  std::string log() const { return root_ + "/pg/server.log"; }
  static std::string read(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }
  void run_or_throw(const std::string& cmd, const std::string& log_path) {
    if (std::system(cmd.c_str()) != 0) {
      std::string why = read(log_path);
      std::error_code ec;
      std::filesystem::remove_all(root_, ec);
      throw std::runtime_error("PostgresServer: `" + cmd + "` failed:\n" + why);
    }
  }

  std::string root_, as_user_;
  bool started_ = false;
};

}  // namespace grantledger::testing
