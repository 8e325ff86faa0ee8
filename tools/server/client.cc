#include "tools/server/client.h"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include <chrono>

#include "tools/server/http_signature.h"

namespace grantledger::server {

namespace {

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::optional<StatusCode> code_named(std::string_view name) {
  for (StatusCode c : {StatusCode::kInvalidArgument, StatusCode::kNotFound, StatusCode::kAlreadyExists,
                       StatusCode::kConflict, StatusCode::kRejected, StatusCode::kCorruption, StatusCode::kIOError,
                       StatusCode::kFindings})
    if (name == status_code_name(c)) return c;
  return std::nullopt;
}

}  // namespace

Status status_from_response(int http_status, std::string_view body) {
  std::string code_name, message;
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_discarded() && j.is_object() && j.contains("error") && j["error"].is_object()) {
    const auto& e = j["error"];
    if (e.contains("code") && e["code"].is_string()) code_name = e["code"].get<std::string>();
    if (e.contains("message") && e["message"].is_string()) message = e["message"].get<std::string>();
  }
  if (auto code = code_named(code_name)) return Status(*code, message);
  // Refusals of the request itself (401 unauthenticated, 403 forbidden, 413 too large, ...) are the
  // caller's to fix: bad input (exit 2). A server that cannot answer now: I/O (exit 4, retry).
  std::string what = "the server answered " + std::to_string(http_status) + (code_name.empty() ? "" : " " + code_name) +
                     (message.empty() ? "" : ": " + message);
  if (http_status >= 500) return Status::io_error(what);
  return Status::invalid_argument(what);
}

Status Response::error() const {
  if (status >= 200 && status <= 299) return Status::ok();
  return status_from_response(status, body);
}

std::string Response::error_output() const {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("output") || !j["output"].is_string()) return "";
  return j["output"].get<std::string>();
}

Result<std::unique_ptr<Client>> Client::create(const ClientOptions& options, std::shared_ptr<const PrivateKey> key) {
  const std::string& url = options.url;
  const bool https = url.rfind("https://", 0) == 0;
  if (!https && url.rfind("http://", 0) != 0)
    return Status::invalid_argument("--server " + url + ": not an http:// or https:// URL");
  std::string authority = url.substr(https ? 8 : 7);
  if (authority.empty() || authority.find_first_of("/?# ") != std::string::npos)
    return Status::invalid_argument("--server " + url + ": give scheme://host:port, without a path");
  std::unique_ptr<Client> c(new Client());
  c->url_ = url;
  c->authority_ = authority;
  c->key_ = std::move(key);
  c->http_ = std::make_unique<httplib::Client>(url);
  if (!c->http_->is_valid()) return Status::invalid_argument("--server " + url + ": not a URL the client can use");
  if (https) {
    if (!options.tls_ca.empty()) {
      if (::access(options.tls_ca.c_str(), R_OK) != 0)
        return Status::invalid_argument("--tls-ca " + options.tls_ca + ": cannot read it");
      c->http_->set_ca_cert_path(options.tls_ca.c_str());
    }
    c->http_->enable_server_certificate_verification(true);
  }
  c->http_->set_connection_timeout(std::chrono::seconds(10));
  c->http_->set_read_timeout(std::chrono::seconds(options.timeout_seconds));
  c->http_->set_write_timeout(std::chrono::seconds(options.timeout_seconds));
  c->http_->set_keep_alive(true);
  c->http_->set_tcp_nodelay(true);
  return c;
}

Client::~Client() = default;

Result<Response> Client::get(const std::string& target) { return send("GET", target, "", ""); }

Result<Response> Client::post(const std::string& target, std::string_view body, const std::string& content_type) {
  return send("POST", target, body, content_type);
}

Result<Response> Client::send(const std::string& method, const std::string& target, std::string_view body,
                              const std::string& content_type) {
  httplib::Headers headers;
  if (key_) {
    HttpRequest request;
    request.method = method;
    const size_t q = target.find('?');
    request.path = target.substr(0, q);
    request.query = q == std::string::npos ? "" : target.substr(q);
    request.authority = authority_;
    GL_ASSIGN_OR_RETURN(std::string nonce, new_nonce());
    const int64_t now = now_seconds();
    GL_ASSIGN_OR_RETURN(SignedHeaders signed_headers,
                        sign_request(request, body, *key_, now, now + kClientSignatureLifetimeSeconds, nonce));
    headers.emplace("Content-Digest", signed_headers.content_digest);
    headers.emplace("Signature-Input", signed_headers.signature_input);
    headers.emplace("Signature", signed_headers.signature);
  }
  httplib::Result r = method == "GET" ? http_->Get(target.c_str(), headers)
                                      : http_->Post(target.c_str(), headers, body.data(), body.size(), content_type.c_str());
  if (!r) {
    std::string why = httplib::to_string(r.error());
    auto ssl = http_->get_openssl_verify_result();
    if (ssl != X509_V_OK) why += " (certificate: " + std::string(X509_verify_cert_error_string(ssl)) + ")";
    return Status::io_error("server " + url_ + ": " + why);
  }
  if (r->body.size() > kMaxResponseBytes) return Status::io_error("server " + url_ + ": answer larger than the client's limit");
  Response out;
  out.status = r->status;
  out.content_type = r->get_header_value("Content-Type");
  out.replayed = r->get_header_value("Grantledger-Replayed") == "true";
  out.bundle_counts = r->get_header_value("Grantledger-Bundle");
  out.body = std::move(r->body);
  return out;
}

}  // namespace grantledger::server
