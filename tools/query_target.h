// Where a query command reads and writes (spec/CLI.md, "Against a server"; spec/SERVER.md,
// "Queries"). The same command runs three ways:
//  - the CLI with --data DIR: it opens DIR read-only and prints to stdout;
//  - the CLI with --server URL --key K.pem: it sends the command and its flags, signed, to the
//    service and prints the answer (or writes it to --out), exiting as it would locally;
//  - inside `serve`: it answers from the service's own ledger into the response body.
#pragma once

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <ostream>
#include <string>

#include "ledger/ledger.h"
#include "ledger/status.h"
#include "tools/server/client.h"

namespace grantledger::cli {

struct QueryEnv {
  Ledger* ledger = nullptr;  // serve: its own; nullptr: the CLI opens --data
  std::ostream* out = &std::cout;
};

// A ledger a query reads: the service's, or one it opened.
class LedgerRef {
 public:
  explicit LedgerRef(Ledger* borrowed) : ledger_(borrowed) {}
  explicit LedgerRef(std::unique_ptr<Ledger> owned) : owned_(std::move(owned)), ledger_(owned_.get()) {}
  Ledger& operator*() const { return *ledger_; }
  Ledger* operator->() const { return ledger_; }

 private:
  std::unique_ptr<Ledger> owned_;
  Ledger* ledger_;
};

class QueryTarget {
 public:
  // Adds --data, --server, --key and --tls-ca to `cmd` (whose action must call check() first).
  static std::shared_ptr<QueryTarget> add(CLI::App* cmd, const QueryEnv* env);

  // invalid_argument unless exactly one of --data and --server is given, and --key with --server.
  Status check() const;
  bool remote() const { return !server_.empty() && env_->ledger == nullptr; }
  // Runs the command on the server with the flags given (spec/SERVER.md, "Routes"): prints the
  // answer to stdout, or writes it to the command's --out; returns the server's Status.
  Status forward() const;

  // GET `target` on the server (--server, signed with --key): every answer (check error()).
  Result<server::Response> get(const std::string& target) const;

  // The ledger to read. `projections`: a query of the read models (open_for_queries, which warns
  // when they lag); otherwise a plain read-only open of the log.
  Result<LedgerRef> open(bool projections) const;
  std::ostream& out() const { return *env_->out; }
  const std::string& data() const { return data_; }

 private:
  CLI::App* cmd_ = nullptr;
  const QueryEnv* env_ = nullptr;
  std::string data_, server_, key_, tls_ca_;
};

}  // namespace grantledger::cli
