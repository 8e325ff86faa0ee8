#include "tools/remote_reconcile.h"

#include "ledger/date.h"
#include "ledger/submission.h"
#include "tools/reconcile/ledger_view_json.h"
#include "tools/remote_submit.h"

namespace grantledger::cli {

Result<std::unique_ptr<reconcile::ReconcileTarget>> ServiceTarget::create(const server::ClientOptions& options,
                                                                          std::shared_ptr<const PrivateKey> key) {
  GL_ASSIGN_OR_RETURN(auto client, server::Client::create(options, key));
  return std::unique_ptr<reconcile::ReconcileTarget>(new ServiceTarget(std::move(client), std::move(key)));
}

Result<reconcile::LedgerView> ServiceTarget::read_view() {
  GL_ASSIGN_OR_RETURN(server::Response response, client_->get("/v1/reconcile/view"));
  GL_RETURN_IF_ERROR(response.error());
  return reconcile::ledger_view_from_json(response.body);
}

Result<CommitInfo> ServiceTarget::record(Bytes event, const std::string& idempotency_key, const std::string& label) {
  GL_ASSIGN_OR_RETURN(std::string origin, server_origin(*client_));
  std::vector<Bytes> events;
  events.push_back(std::move(event));
  GL_ASSIGN_OR_RETURN(Submission submission, sign_submission(origin, std::move(events), *key_, idempotency_key, now_utc_ns()));
  auto acknowledged = submit_to_server(*client_, encode_submission_file({submission}));
  // The service names the event by its place in the submission; say which run it was.
  if (!acknowledged) return acknowledged.error().with_context(label + ": ");
  if (acknowledged->commits.size() != 1) return Status::io_error("the service acknowledged a one-commit submission with " +
                                                                 std::to_string(acknowledged->commits.size()) + " commits");
  return acknowledged->commits[0];
}

}  // namespace grantledger::cli
