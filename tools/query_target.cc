#include "tools/query_target.h"

#include "tools/query_setup.h"
#include "tools/server/access.h"
#include "tools/server/client.h"
#include "tools/signing.h"

namespace grantledger::cli {

namespace {

std::string percent_encoded(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::shared_ptr<QueryTarget> QueryTarget::add(CLI::App* cmd, const QueryEnv* env) {
  auto t = std::make_shared<QueryTarget>();
  t->cmd_ = cmd;
  t->env_ = env;
  cmd->add_option("--data", t->data_, "ledger data directory");
  cmd->add_option("--server", t->server_, "ask a grantledger service instead (https://HOST:PORT), signing with --key");
  cmd->add_option("--key", t->key_, "with --server: the private key that signs the request (PEM, mode 0600)");
  cmd->add_option("--tls-ca", t->tls_ca_, "with --server: the CA certificate (PEM) to trust (default: the system's)");
  return t;
}

Status QueryTarget::check() const {
  if (env_->ledger) return Status::ok();
  if (data_.empty() == server_.empty()) return Status::invalid_argument("give either --data DIR or --server URL (with --key)");
  if (!server_.empty() && key_.empty()) return Status::invalid_argument("--server needs --key: every request is signed");
  if (server_.empty() && (!key_.empty() || !tls_ca_.empty()))
    return Status::invalid_argument("--key and --tls-ca go with --server");
  return Status::ok();
}

Status QueryTarget::forward() const {
  std::string target = "/v1";
  std::vector<std::string> names;
  for (const CLI::App* c = cmd_; c && c->get_parent(); c = c->get_parent()) names.insert(names.begin(), c->get_name());
  for (const auto& n : names) target += "/" + n;
  std::string query, out_file;
  for (const CLI::Option* opt : cmd_->get_options()) {
    if (opt->count() == 0) continue;
    const std::string name = opt->get_single_name();
    if (name == "out") {
      out_file = opt->as<std::string>();
      continue;
    }
    if (server::reserved_parameter(name)) continue;
    for (const auto& value : opt->results())
      query += (query.empty() ? "?" : "&") + percent_encoded(name) + "=" + percent_encoded(value);
  }
  GL_ASSIGN_OR_RETURN(server::Response response, get(target + query));
  Status s = response.error();
  const std::string& body = s.is_ok() ? response.body : response.error_output();
  if (!out_file.empty() && s.is_ok()) return write_output_file(out_file, body);
  out() << body;
  return s;
}

Result<server::Response> QueryTarget::get(const std::string& target) const {
  GL_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::load(key_));
  GL_ASSIGN_OR_RETURN(auto client, server::Client::create({server_, tls_ca_}, std::make_shared<const PrivateKey>(std::move(key))));
  return client->get(target);
}

Result<LedgerRef> QueryTarget::open(bool projections) const {
  if (env_->ledger) return LedgerRef(env_->ledger);
  if (projections) {
    GL_ASSIGN_OR_RETURN(auto ledger, open_for_queries(data_));
    return LedgerRef(std::move(ledger));
  }
  GL_ASSIGN_OR_RETURN(auto ledger, Ledger::open(data_, {.read_only = true}));
  return LedgerRef(std::move(ledger));
}

}  // namespace grantledger::cli
