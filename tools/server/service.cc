#include "tools/server/service.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "projections/builder.h"
#include "tools/audit/bundle.h"
#include "tools/audit/receipt.h"
#include "tools/reconcile/ledger_view_json.h"
#include "tools/server/http_listener.h"
#include "tools/server/http_signature.h"
#include "tools/server/nonce_cache.h"
#include "tools/server/raw_log.h"
#include "tools/server/tar_archive.h"
#include "tools/web/web_ui.h"
#include "tools/server/witness_collector.h"

namespace grantledger::server {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// spec/SERVER.md, "Errors": the HTTP status for a Status the ledger or a query returned.
int http_status_for(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
    case StatusCode::kAlreadyExists: return 200;
    case StatusCode::kInvalidArgument:
    case StatusCode::kRejected: return 400;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kConflict: return 409;
    case StatusCode::kFindings: return 422;
    case StatusCode::kCorruption: return 500;
    case StatusCode::kIOError: return 503;
  }
  return 500;
}

void answer_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump() + "\n", "application/json");
}

// An error answer: {"error": {"code", "message"}} and, for a query that printed something
// before it failed (a stopped projection's status table), "output".
void answer_error(httplib::Response& res, int status, const std::string& code, const std::string& message,
                  const std::string& output = "") {
  json body{{"error", {{"code", code}, {"message", message}}}};
  if (!output.empty()) body["output"] = output;
  answer_json(res, status, body);
}

void answer_status(httplib::Response& res, const Status& s, const std::string& output = "") {
  answer_error(res, http_status_for(s.code()), status_code_name(s.code()), s.message(), output);
}

std::optional<Hash32> key_id_from_hex(std::string_view hex) {
  auto b = from_hex(hex);
  if (!b || b->size() != 32) return std::nullopt;
  return to_hash32(*b);
}

// The CLI query commands the service answers, by route (spec/SERVER.md, "Routes").
const std::vector<std::vector<std::string>>& query_commands() {
  static const std::vector<std::vector<std::string>> commands = {
      {"log"},     {"balance"}, {"history"}, {"claims"}, {"export"}, {"projections", "status"}, {"prove", "inclusion"},
      {"prove", "consistency"}, {"reconcile", "history"}};
  return commands;
}

std::string content_type_for(const QueryCall& call) {
  if (call.command[0] == "prove") return "application/json";
  for (const auto& [k, v] : call.params) {
    if (k != "format") continue;
    if (v == "json") return call.command[0] == "log" || call.command == std::vector<std::string>{"reconcile", "history"}
                                ? "application/x-ndjson"
                                : "application/json";
    if (v == "csv") return "text/csv; charset=utf-8";
  }
  return "text/plain; charset=utf-8";
}

}  // namespace

class Service::Impl {
 public:
  ServeOptions options;
  QueryRunner queries;
  std::unique_ptr<Ledger> ledger;
  std::unique_ptr<HttpListener> listener;
  httplib::Server* http = nullptr;  // the listener's
  NonceCache nonces;
  std::atomic<bool> stopping{false};
  std::unique_ptr<web::WebUi> web;  // the web page under /ui/ (spec/WEB.md)
  std::unique_ptr<WitnessCollector> witnesses;  // null without --witness; stopped before the ledger closes

  // The projections follow the log on their own thread, woken after every acknowledged commit.
  std::thread follower;
  std::mutex mu;
  std::condition_variable cv;
  bool wake = false, quit = false;
  std::string projections_error;  // guarded by mu

  // The key that signed the request, as the log records it; nullopt after answering 401.
  std::optional<KeyState> authenticate(const httplib::Request& req, httplib::Response& res, std::string* key_id) {
    HttpRequest request;
    request.method = req.method;
    const size_t q = req.target.find('?');
    request.path = req.target.substr(0, q);
    request.query = q == std::string::npos ? "" : req.target.substr(q);
    request.authority = req.get_header_value("Host");
    for (const auto& [name, value] : req.headers) {
      std::string lower = name;
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto [it, fresh] = request.headers.emplace(lower, value);
      if (!fresh) it->second += ", " + value;
    }
    std::optional<KeyState> signer;
    Status lookup_error = Status::ok();
    VerifiedSignature verified;
    AuthStatus checked = parse_and_verify(request, req.body, now_seconds(), [&](std::string_view keyid) -> std::optional<PublicKey> {
      auto id = key_id_from_hex(keyid);
      if (!id) return std::nullopt;
      auto key = ledger->registered_key(*id);
      if (!key) {
        lookup_error = key.error();
        return std::nullopt;
      }
      if (!*key) return std::nullopt;
      auto pub = PublicKey::from_raw((*key)->public_key);
      if (!pub) return std::nullopt;
      signer = std::move(**key);
      return std::move(pub).value();
    }, &verified);
    if (!lookup_error.is_ok()) {
      answer_status(res, lookup_error);
      return std::nullopt;
    }
    if (!checked.is_ok()) {
      answer_error(res, 401, auth_failure_name(checked.failure()), checked.message());
      return std::nullopt;
    }
    *key_id = verified.keyid;
    AuthStatus fresh = nonces.admit(verified, now_seconds());
    if (!fresh.is_ok()) {
      answer_error(res, fresh.failure() == AuthFailure::kNonceCacheFull ? 503 : 401, auth_failure_name(fresh.failure()),
                   fresh.message());
      return std::nullopt;
    }
    if (!signer->active()) {
      answer_error(res, 401, "revoked", "key " + verified.keyid.substr(0, 16) + " (" + signer->name + ") was revoked in commit " +
                                            std::to_string(*signer->revoked_seq));
      return std::nullopt;
    }
    return signer;
  }

  void submit(const httplib::Request& req, httplib::Response& res, std::string* key_id) {
    if (options.read_only)
      return answer_error(res, 403, "read_only", "read-only mirror: submit to the log it mirrors (spec/MIRROR.md)");
    auto key = authenticate(req, res, key_id);
    if (!key) return;
    Status allowed = may_submit(*key);
    if (!allowed.is_ok()) return answer_error(res, 403, "forbidden", allowed.message());
    if (stopping.load()) return answer_error(res, 503, "shutting_down", "the service is shutting down; retry elsewhere or later");
    const auto decode_at = Clock::now();
    auto submissions = decode_submission_file(req.body);
    if (!submissions) return answer_status(res, submissions.error());
    std::vector<CommitRequest> requests;
    for (size_t i = 0; i < submissions->size(); ++i) {
      Submission& s = (*submissions)[i];
      if (s.origin != ledger->origin())
        return answer_status(res, Status::invalid_argument("submission " + std::to_string(i + 1) + ": origin: signed for " +
                                                           s.origin + ", this ledger is " + ledger->origin()));
      requests.push_back(CommitRequest::from(std::move(s)));
    }
    const auto appended_at = Clock::now();
    auto infos = ledger->append(std::move(requests));
    if (!infos) return answer_status(res, infos.error());
    bool replayed = true;
    for (const auto& info : *infos) replayed &= info.replayed;
    {
      std::lock_guard<std::mutex> lock(mu);
      wake = true;
    }
    cv.notify_one();
    if (witnesses) witnesses->notify();
    const auto receipt_at = Clock::now();
    auto receipt = audit::make_receipt(*ledger, *infos);
    if (!receipt) return answer_status(res, receipt.error());
    const auto answered_at = Clock::now();
    spdlog::debug("submission: decode {} us, append {} us, receipt {} us",
                  std::chrono::duration_cast<std::chrono::microseconds>(appended_at - decode_at).count(),
                  std::chrono::duration_cast<std::chrono::microseconds>(receipt_at - appended_at).count(),
                  std::chrono::duration_cast<std::chrono::microseconds>(answered_at - receipt_at).count());
    res.set_header("Grantledger-Replayed", replayed ? "true" : "false");
    res.status = 200;
    res.set_content(std::move(*receipt), "application/json");
  }

  void query(const httplib::Request& req, httplib::Response& res, QueryCall call, std::string* key_id) {
    auto key = authenticate(req, res, key_id);
    if (!key) return;
    for (const auto& [k, v] : req.params) {
      // A flag's name, nothing else: "out=/x" would otherwise reach the parser as --out=/x=...
      const bool flag_name = !k.empty() && k.size() <= 64 && std::islower(static_cast<unsigned char>(k[0])) &&
                             k.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
      if (!flag_name || reserved_parameter(k))
        return answer_error(res, 400, "invalid_argument", "parameter \"" + k + "\" cannot be given to the service");
      call.params.emplace_back(k, v);
    }
    Status allowed = may_read(*key, call);
    if (!allowed.is_ok()) return answer_error(res, 403, "forbidden", allowed.message());
    std::ostringstream out;
    Status s = queries(call, *ledger, out);
    if (!s.is_ok()) return answer_status(res, s, out.str());
    res.status = 200;
    res.set_content(out.str(), content_type_for(call).c_str());
  }

  // The audit bundle of one snapshot as a ustar archive of its directory, and its counts.
  Result<std::pair<Bytes, audit::BundleInfo>> bundle_archive(const std::string& who) {
    std::error_code ec;
    const std::filesystem::path tmp =
        std::filesystem::temp_directory_path() / ("grantledger-bundle-" + std::to_string(::getpid()) + "-" + who + "-" +
                                                  std::to_string(Clock::now().time_since_epoch().count()));
    auto info = audit::export_bundle(*ledger, tmp.string());
    Result<Bytes> archive = info ? archive_directory(tmp.string()) : Result<Bytes>(info.error());
    std::filesystem::remove_all(tmp, ec);
    if (!archive) return archive.error();
    return std::make_pair(std::move(*archive), *info);
  }

  // GET /v1/bundle: the audit bundle of one snapshot, as a ustar archive of its directory.
  void bundle(const httplib::Request& req, httplib::Response& res, std::string* key_id) {
    auto key = authenticate(req, res, key_id);
    if (!key) return;
    Status allowed = may_read(*key, QueryCall{{"export-bundle"}, {}});
    if (!allowed.is_ok()) return answer_error(res, 403, "forbidden", allowed.message());
    auto archive = bundle_archive(*key_id);
    if (!archive) return answer_status(res, archive.error());
    const audit::BundleInfo& info = archive->second;
    res.status = 200;
    res.set_header("Grantledger-Bundle", "events=" + std::to_string(info.events) + ";commits=" + std::to_string(info.commits) +
                                             ";checkpoints=" + std::to_string(info.checkpoints) +
                                             ";keys=" + std::to_string(info.keys));
    res.set_content(std::move(archive->first), "application/x-tar");
  }

  // POST /v1/login: a one-time sign-in link to the web page for the request's key.
  void login(const httplib::Request& req, httplib::Response& res, std::string* key_id) {
    auto key = authenticate(req, res, key_id);
    if (!key) return;
    if (key->role == schema::Role::LOG)
      return answer_error(res, 403, "forbidden", "the log key signs checkpoints and commits; it does not sign in");
    auto link = web->sign_in_link(*key_id);
    if (!link) return answer_status(res, link.error());
    answer_json(res, 200, json{{"link", *link}, {"expires_in_seconds", web::kSignInTokenSeconds}});
  }

  // spec/SERVER.md, "Reconciliation": what `reconcile --server` matches against, from one snapshot.
  void reconcile_view(const httplib::Request& req, httplib::Response& res, std::string* key_id) {
    auto key = authenticate(req, res, key_id);
    if (!key) return;
    Status allowed = may_read(*key, QueryCall{{"reconcile", "view"}, {}});
    if (!allowed.is_ok()) return answer_error(res, 403, "forbidden", allowed.message());
    if (!req.params.empty())
      return answer_error(res, 400, "invalid_argument", "GET /v1/reconcile/view takes no parameters (the client matches)");
    auto view = reconcile::read_ledger_view(*ledger);
    if (!view) return answer_status(res, view.error());
    answer_json(res, 200, reconcile::ledger_view_to_json(*view));
  }

  // GET /v1/log/raw?from=SEQ&limit=N: stored commits as they are, for mirrors (spec/MIRROR.md).
  void raw_log(const httplib::Request& req, httplib::Response& res, std::string* key_id) {
    auto key = authenticate(req, res, key_id);
    if (!key) return;
    Status allowed = may_read(*key, QueryCall{{"log", "raw"}, {}});
    if (!allowed.is_ok()) return answer_error(res, 403, "forbidden", allowed.message());
    uint64_t from = 0, limit = kMaxRawCommits;
    for (const auto& [k, v] : req.params) {
      const bool number = !v.empty() && v.size() <= 19 && v.find_first_not_of("0123456789") == std::string::npos;
      if ((k != "from" && k != "limit") || !number)
        return answer_error(res, 400, "invalid_argument", "GET /v1/log/raw takes from=SEQUENCE and limit=N (whole numbers)");
      (k == "from" ? from : limit) = std::stoull(v);
    }
    auto body = raw_log_ndjson(*ledger, from, limit);
    if (!body) return answer_status(res, body.error());
    res.status = 200;
    res.set_content(std::move(*body), "application/x-ndjson");
  }

  void public_checkpoint(httplib::Response& res, std::optional<uint64_t> size) {
    auto note = ledger->checkpoint(size);
    if (!note) return answer_status(res, note.error());
    res.status = 200;
    res.set_content(witnesses ? witnesses->with_cosignatures(*note) : *note, "text/plain; charset=utf-8");
  }

  void ready(httplib::Response& res) {
    std::string error;
    {
      std::lock_guard<std::mutex> lock(mu);
      error = projections_error;
    }
    auto head = ledger->head();
    if (!head) return answer_status(res, head.error());
    json body{{"ready", !stopping.load() && error.empty()}, {"commits", head->commit_count}, {"tree_size", head->tree_size}};
    if (!error.empty()) body["projections_error"] = error;
    if (stopping.load()) body["shutting_down"] = true;
    answer_json(res, body["ready"].get<bool>() ? 200 : 503, body);
  }

  void follow_projections() {
    std::unique_lock<std::mutex> lock(mu);
    while (!quit) {
      cv.wait_for(lock, std::chrono::seconds(1), [this] { return wake || quit; });
      wake = false;
      lock.unlock();
      Status s = projections::Builder(*ledger).catch_up();
      lock.lock();
      projections_error = s.is_ok() ? "" : s.to_string();
      if (!s.is_ok()) spdlog::error("projections stopped: {}", s.to_string());
    }
  }

  // Wraps a handler: one log line per request (time, method, path, key ID, status, duration).
  template <typename F>
  httplib::Server::Handler logged(F handler) {
    return [handler](const httplib::Request& req, httplib::Response& res) {
      const auto start = Clock::now();
      std::string key_id;
      try {
        handler(req, res, &key_id);
      } catch (const std::exception& e) {
        answer_error(res, 500, "internal", std::string("unexpected: ") + e.what());
      }
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
      spdlog::info("{} {} key={} status={} duration_us={}", req.method, req.path, key_id.empty() ? "-" : key_id.substr(0, 16),
                   res.status, us);
    };
  }

  void routes() {
    http->Get("/v1/health", logged([](const httplib::Request&, httplib::Response& res, std::string*) {
      answer_json(res, 200, json{{"status", "ok"}});
    }));
    http->Get("/v1/ready", logged([this](const httplib::Request&, httplib::Response& res, std::string*) { ready(res); }));
    http->Get("/v1/checkpoint", logged([this](const httplib::Request& req, httplib::Response& res, std::string*) {
      // `checkpoint --tree-size N` against a server asks /v1/checkpoint?tree-size=N.
      std::optional<uint64_t> size;
      if (req.has_param("tree-size")) {
        const std::string v = req.get_param_value("tree-size");
        if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string::npos)
          return answer_error(res, 400, "invalid_argument", "--tree-size: not a tree size");
        size = std::stoull(v);
      }
      public_checkpoint(res, size);
    }));
    http->Get(R"(/v1/checkpoints/(\d{1,19}))", logged([this](const httplib::Request& req, httplib::Response& res, std::string*) {
      public_checkpoint(res, std::stoull(req.matches[1]));
    }));
    http->Post("/v1/submissions", logged([this](const httplib::Request& req, httplib::Response& res, std::string* key_id) {
      submit(req, res, key_id);
    }));
    http->Get("/v1/bundle", logged([this](const httplib::Request& req, httplib::Response& res, std::string* key_id) {
      bundle(req, res, key_id);
    }));
    http->Get("/v1/log/raw", logged([this](const httplib::Request& req, httplib::Response& res, std::string* key_id) {
      raw_log(req, res, key_id);
    }));
    http->Get(R"(/v1/commits/(\d{1,19}))", logged([this](const httplib::Request& req, httplib::Response& res, std::string* key_id) {
      query(req, res, QueryCall{{"log"}, {{"from", req.matches[1]}, {"limit", "1"}, {"format", "json"}}}, key_id);
    }));
    http->Get(R"(/v1/events/(\d{1,19}))", logged([this](const httplib::Request& req, httplib::Response& res, std::string* key_id) {
      query(req, res, QueryCall{{"prove", "inclusion"}, {{"event", req.matches[1]}}}, key_id);
    }));
    http->Post("/v1/login", logged([this](const httplib::Request& req, httplib::Response& res, std::string* key_id) {
      login(req, res, key_id);
    }));
    // The web page (spec/WEB.md): its own sign-in (a session cookie), pages rendered here.
    auto page = logged([this](const httplib::Request& req, httplib::Response& res, std::string* key_id) { web->handle(req, res, key_id); });
    http->Get("/", page);
    http->Get(R"(/ui(/.*)?)", page);
    http->Post("/ui/logout", page);
    http->Get("/v1/reconcile/view", logged([this](const httplib::Request& req, httplib::Response& res, std::string* key_id) {
      reconcile_view(req, res, key_id);
    }));
    for (const auto& command : query_commands()) {
      std::string path = "/v1";
      for (const auto& c : command) path += "/" + c;
      http->Get(path, logged([this, command](const httplib::Request& req, httplib::Response& res, std::string* key_id) {
        query(req, res, QueryCall{command, {}}, key_id);
      }));
    }
  }
};

std::vector<Route> service_routes() {
  std::vector<Route> out = {{"GET", "/v1/health", false},
                            {"GET", "/v1/ready", false},
                            {"GET", "/v1/checkpoint", false},
                            {"GET", "/v1/checkpoints/{tree_size}", false},
                            {"POST", "/v1/submissions", true},
                            {"POST", "/v1/login", true},
                            {"GET", "/v1/commits/{sequence}", true},
                            {"GET", "/v1/events/{index}", true},
                            {"GET", "/v1/bundle", true},
                            {"GET", "/v1/reconcile/view", true},
                            {"GET", "/v1/log/raw", true}};
  for (const auto& command : query_commands()) {
    std::string path = "/v1";
    for (const auto& c : command) path += "/" + c;
    out.push_back({"GET", path, true});
  }
  return out;
}

Service::Service(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Service::~Service() {
  if (!impl_) return;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->quit = true;
  }
  impl_->cv.notify_all();
  if (impl_->follower.joinable()) impl_->follower.join();
}

Result<std::unique_ptr<Service>> Service::open(ServeOptions options, QueryRunner queries) {
  auto impl = std::make_unique<Impl>();
  GL_ASSIGN_OR_RETURN(impl->listener, HttpListener::create({options.listen, options.tls_cert, options.tls_key, options.insecure_http}));
  impl->http = &impl->listener->http();
  std::vector<WitnessEndpoint> witnesses;
  for (const auto& flag : options.witnesses) {
    GL_ASSIGN_OR_RETURN(WitnessEndpoint w, parse_witness_flag(flag));
    witnesses.push_back(std::move(w));
  }
  // A read-only service (a mirror's copy) holds no writer and needs no log key (spec/MIRROR.md).
  if (options.read_only) options.ledger.writer = false;
  GL_ASSIGN_OR_RETURN(impl->ledger, Ledger::open(options.data, options.ledger));
  // Catch the projections up before the first answer, so queries start current.
  Status projected = projections::Builder(*impl->ledger).catch_up();
  if (!projected.is_ok()) impl->projections_error = projected.to_string();

  httplib::Server& http = *impl->http;
  const size_t connections = options.connections;
  http.new_task_queue = [connections] { return new httplib::ThreadPool(connections); };
  http.set_payload_max_length(options.max_body_bytes);
  http.set_read_timeout(options.request_timeout_seconds, 0);
  http.set_write_timeout(options.request_timeout_seconds, 0);
  http.set_keep_alive_timeout(5);
  http.set_tcp_nodelay(true);  // small answers leave at once (no Nagle / delayed-ACK 40 ms stalls)
  http.set_keep_alive_max_count(10000);
  http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    const std::string reason = res.status == 404   ? "no route " + req.method + " " + req.path + " (spec/SERVER.md, \"Routes\")"
                               : res.status == 413 ? "the body is larger than the service's limit (spec/SERVER.md, \"Limits\")"
                                                   : "the request was refused";
    answer_error(res, res.status, res.status == 404 ? "not_found" : res.status == 413 ? "too_large" : "bad_request", reason);
    spdlog::info("{} {} key=- status={}", req.method, req.path, res.status);
  });
  impl->options = std::move(options);
  impl->queries = std::move(queries);
  impl->routes();
  GL_RETURN_IF_ERROR(impl->listener->bind());
  Impl* raw = impl.get();
  impl->web = std::make_unique<web::WebUi>(*impl->ledger, impl->queries, [raw]() -> Result<std::string> {
    GL_ASSIGN_OR_RETURN(auto archive, raw->bundle_archive("web"));
    return std::move(archive.first);
  });
  impl->follower = std::thread([raw] { raw->follow_projections(); });
  if (!witnesses.empty())
    impl->witnesses = std::make_unique<WitnessCollector>(*impl->ledger, std::move(witnesses), impl->options.witness_tls_ca);
  return std::unique_ptr<Service>(new Service(std::move(impl)));
}

int Service::port() const { return impl_->listener->port(); }

std::string Service::url() const { return impl_->listener->url(); }

Status Service::run() {
  if (!impl_->http->listen_after_bind() && !impl_->stopping.load())
    return Status::io_error("the service stopped listening unexpectedly");
  return Status::ok();
}

void Service::stop() {
  impl_->stopping.store(true);
  impl_->http->stop();
}

}  // namespace grantledger::server
