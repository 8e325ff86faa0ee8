#include "tools/server/http_listener.h"

#include <httplib.h>
#include <unistd.h>

namespace grantledger::server {

namespace {

bool loopback_host(const std::string& host) { return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0; }

}  // namespace

Result<std::unique_ptr<HttpListener>> HttpListener::create(const ListenerOptions& options) {
  std::unique_ptr<HttpListener> l(new HttpListener());
  l->listen_ = options.listen;
  const size_t colon = options.listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return Status::invalid_argument("--listen " + options.listen + ": give HOST:PORT");
  l->host_ = options.listen.substr(0, colon);
  if (l->host_.size() > 2 && l->host_.front() == '[' && l->host_.back() == ']') l->host_ = l->host_.substr(1, l->host_.size() - 2);
  const std::string port_text = options.listen.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port_text) > 65535)
    return Status::invalid_argument("--listen " + options.listen + ": the port must be 0..65535");
  l->wanted_port_ = std::stoi(port_text);
  if (options.insecure_http) {
    if (!loopback_host(l->host_))
      return Status::invalid_argument("--insecure-http: plain HTTP only on a loopback address (127.0.0.1, ::1), not " + l->host_);
    l->http_ = std::make_unique<httplib::Server>();
    return l;
  }
  if (options.tls_cert.empty() || options.tls_key.empty())
    return Status::invalid_argument("--tls-cert and --tls-key are required (or --insecure-http on loopback, for tests)");
  for (const auto& f : {options.tls_cert, options.tls_key})
    if (::access(f.c_str(), R_OK) != 0) return Status::invalid_argument("TLS file " + f + ": cannot read it");
  auto tls = std::make_unique<httplib::SSLServer>(options.tls_cert.c_str(), options.tls_key.c_str());
  if (!tls->is_valid())
    return Status::invalid_argument("--tls-cert " + options.tls_cert + " / --tls-key " + options.tls_key +
                                    ": not a certificate and its private key (PEM)");
  l->http_ = std::move(tls);
  l->https_ = true;
  return l;
}

HttpListener::~HttpListener() = default;

Status HttpListener::bind() {
  port_ = wanted_port_ == 0 ? http_->bind_to_any_port(host_) : (http_->bind_to_port(host_, wanted_port_) ? wanted_port_ : -1);
  if (port_ <= 0) return Status::invalid_argument("--listen " + listen_ + ": cannot listen there (in use, or not an address of this machine)");
  return Status::ok();
}

std::string HttpListener::url() const {
  const bool v6 = host_.find(':') != std::string::npos;
  return std::string(https_ ? "https" : "http") + "://" + (v6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_);
}

}  // namespace grantledger::server
