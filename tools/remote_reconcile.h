// `reconcile --server` (spec/RECONCILIATION.md, "Against a server"): a reconciliation run whose
// ledger is a service. The service answers the ledger view (GET /v1/reconcile/view); the run
// matches on the client with the same code as against a directory, and records itself as a
// submission signed on the client (the reconciler's private key never leaves it) and posted to
// POST /v1/submissions, with the idempotency key a local run would give it.
#pragma once

#include <memory>

#include "tools/reconcile/reconciliation.h"
#include "tools/server/client.h"

namespace grantledger::cli {

class ServiceTarget : public reconcile::ReconcileTarget {
 public:
  // `key` signs every request and the submission. invalid_argument for a malformed URL or an
  // unreadable CA file; nothing is sent until read_view().
  static Result<std::unique_ptr<reconcile::ReconcileTarget>> create(const server::ClientOptions& options,
                                                                     std::shared_ptr<const PrivateKey> key);

  // GET /v1/reconcile/view, decoded strictly (io_error for an answer that is not a view).
  Result<reconcile::LedgerView> read_view() override;
  // Signs a one-event submission for the service's origin (its public checkpoint) and posts it:
  // the commit the service acknowledged, `replayed` for an idempotent retry.
  Result<CommitInfo> record(Bytes event, const std::string& idempotency_key, const std::string& label) override;

 private:
  ServiceTarget(std::unique_ptr<server::Client> client, std::shared_ptr<const PrivateKey> key)
      : client_(std::move(client)), key_(std::move(key)) {}
  std::unique_ptr<server::Client> client_;
  std::shared_ptr<const PrivateKey> key_;
};

}  // namespace grantledger::cli
