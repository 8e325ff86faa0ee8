#include "tools/witness/witness_service.h"

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <chrono>

#include "tools/witness/add_checkpoint.h"

namespace grantledger::witness {

namespace {

bool loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

uint64_t now_seconds() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

void send(httplib::Response& res, const WitnessAnswer& a) {
  res.status = a.status;
  res.set_content(a.body, a.content_type.c_str());
}

}  // namespace

class WitnessService::Impl {
 public:
  std::unique_ptr<Witness> witness;
  std::unique_ptr<httplib::Server> http;
  std::string host, scheme;
  int port = 0;
  std::atomic<bool> stopping{false};
};

WitnessService::WitnessService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WitnessService::~WitnessService() = default;

Result<std::unique_ptr<WitnessService>> WitnessService::open(const WitnessServeOptions& options, std::unique_ptr<Witness> witness) {
  auto impl = std::make_unique<Impl>();
  const size_t colon = options.listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return Status::invalid_argument("--listen " + options.listen + ": give HOST:PORT");
  impl->host = options.listen.substr(0, colon);
  if (impl->host.size() > 2 && impl->host.front() == '[' && impl->host.back() == ']') impl->host = impl->host.substr(1, impl->host.size() - 2);
  const std::string port_text = options.listen.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port_text) > 65535)
    return Status::invalid_argument("--listen " + options.listen + ": the port must be 0..65535");
  if (options.insecure_http) {
    if (!loopback_host(impl->host))
      return Status::invalid_argument("--insecure-http: plain HTTP only on a loopback address (127.0.0.1, ::1), not " + impl->host);
    impl->http = std::make_unique<httplib::Server>();
    impl->scheme = "http";
  } else {
    if (options.tls_cert.empty() || options.tls_key.empty())
      return Status::invalid_argument("--tls-cert and --tls-key are required (or --insecure-http on loopback, for tests)");
    for (const auto& f : {options.tls_cert, options.tls_key})
      if (::access(f.c_str(), R_OK) != 0) return Status::invalid_argument("TLS file " + f + ": cannot read it");
    auto tls = std::make_unique<httplib::SSLServer>(options.tls_cert.c_str(), options.tls_key.c_str());
    if (!tls->is_valid()) return Status::invalid_argument("--tls-cert / --tls-key: not a certificate and its private key (PEM)");
    impl->http = std::move(tls);
    impl->scheme = "https";
  }
  impl->witness = std::move(witness);
  Witness* w = impl->witness.get();
  httplib::Server& http = *impl->http;
  const size_t connections = options.connections;
  http.new_task_queue = [connections] { return new httplib::ThreadPool(connections); };
  http.set_payload_max_length(kMaxAddCheckpointBytes);
  http.set_read_timeout(30, 0);
  http.set_write_timeout(30, 0);
  http.set_tcp_nodelay(true);
  http.Post("/add-checkpoint", [w](const httplib::Request& req, httplib::Response& res) {
    const auto start = std::chrono::steady_clock::now();
    send(res, w->add_checkpoint(req.body, now_seconds()));
    spdlog::info("POST /add-checkpoint status={} duration_us={}", res.status,
                 std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count());
  });
  http.Get(R"(/([0-9a-f]{64})/checkpoint)", [w](const httplib::Request& req, httplib::Response& res) {
    send(res, w->latest_checkpoint(req.matches[1].str()));
  });
  const int wanted = std::stoi(port_text);
  impl->port = wanted == 0 ? http.bind_to_any_port(impl->host) : (http.bind_to_port(impl->host, wanted) ? wanted : -1);
  if (impl->port <= 0) return Status::invalid_argument("--listen " + options.listen + ": cannot listen there (in use, or not an address of this machine)");
  return std::unique_ptr<WitnessService>(new WitnessService(std::move(impl)));
}

std::string WitnessService::url() const {
  const bool v6 = impl_->host.find(':') != std::string::npos;
  return impl_->scheme + "://" + (v6 ? "[" + impl_->host + "]" : impl_->host) + ":" + std::to_string(impl_->port);
}

Status WitnessService::run() {
  if (!impl_->http->listen_after_bind() && !impl_->stopping.load()) return Status::io_error("the witness stopped listening unexpectedly");
  return Status::ok();
}

void WitnessService::stop() {
  impl_->stopping.store(true);
  impl_->http->stop();
}

}  // namespace grantledger::witness
