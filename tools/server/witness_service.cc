#include "tools/server/witness_service.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "tools/witness/add_checkpoint.h"

namespace grantledger::server {

namespace {

uint64_t now_seconds() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

void send(httplib::Response& res, const witness::WitnessAnswer& a) {
  res.status = a.status;
  res.set_content(a.body, a.content_type.c_str());
}

}  // namespace

WitnessService::~WitnessService() = default;

Result<std::unique_ptr<WitnessService>> WitnessService::open(const ListenerOptions& options, std::unique_ptr<witness::Witness> witness) {
  std::unique_ptr<WitnessService> s(new WitnessService());
  GL_ASSIGN_OR_RETURN(s->listener_, HttpListener::create(options));
  s->witness_ = std::move(witness);
  witness::Witness* w = s->witness_.get();
  httplib::Server& http = s->listener_->http();
  http.new_task_queue = [] { return new httplib::ThreadPool(kWitnessConnections); };
  http.set_payload_max_length(witness::kMaxAddCheckpointBytes);
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
  GL_RETURN_IF_ERROR(s->listener_->bind());
  return s;
}

Status WitnessService::run() {
  if (!listener_->http().listen_after_bind() && !stopping_.load()) return Status::io_error("the witness stopped listening unexpectedly");
  return Status::ok();
}

void WitnessService::stop() {
  stopping_.store(true);
  listener_->http().stop();
}

}  // namespace grantledger::server
