#include "tools/server/witness_collector.h"

#include <spdlog/spdlog.h>

#include "tools/server/client.h"
#include "tools/witness/add_checkpoint.h"
#include "tools/witness/checkpoint_body.h"
#include "tools/witness/cosignature.h"

namespace grantledger::server {

namespace {

Result<uint64_t> tree_size_of(const std::string& note) {
  GL_ASSIGN_OR_RETURN(witness::SignedNote parsed, witness::parse_signed_note(note));
  GL_ASSIGN_OR_RETURN(witness::CheckpointBody body, witness::parse_checkpoint_body(parsed.text));
  return body.tree_size;
}

}  // namespace

Result<WitnessEndpoint> parse_witness_flag(const std::string& flag) {
  const size_t eq = flag.find('=');
  if (eq == std::string::npos) return Status::invalid_argument("--witness " + flag + ": give URL=NAME+KEYID+KEY");
  const std::string url = flag.substr(0, eq);
  const bool loopback_http = url.rfind("http://127.", 0) == 0 || url.rfind("http://localhost:", 0) == 0 || url.rfind("http://[::1]:", 0) == 0;
  if (url.rfind("https://", 0) != 0 && !loopback_http)
    return Status::invalid_argument("--witness " + flag + ": the URL must start with https:// (http:// only to a loopback address)");
  auto vkey = witness::parse_verifier_key(flag.substr(eq + 1), {witness::kSigTypeCosignatureV1});
  if (!vkey) return Status::invalid_argument("--witness " + flag + ": " + vkey.error().message());
  return WitnessEndpoint{url, *vkey};
}

WitnessCollector::WitnessCollector(Ledger& ledger, std::vector<WitnessEndpoint> witnesses, std::string tls_ca)
    : ledger_(ledger), witnesses_(std::move(witnesses)), tls_ca_(std::move(tls_ca)), witness_sizes_(witnesses_.size()) {
  thread_ = std::thread([this] { run(); });
}

WitnessCollector::~WitnessCollector() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    quit_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void WitnessCollector::notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_ = true;
  }
  cv_.notify_one();
}

std::string WitnessCollector::with_cosignatures(const std::string& note) {
  auto size = tree_size_of(note);
  if (!size) return note;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = cosigned_.find(*size);
  if (it == cosigned_.end()) return note;
  std::string out = note;
  for (const auto& entry : it->second) out += entry.second;
  return out;
}

void WitnessCollector::run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!quit_) {
    cv_.wait_for(lock, std::chrono::seconds(kWitnessRetrySeconds), [this] { return wake_ || quit_; });
    if (quit_) break;
    wake_ = false;
    lock.unlock();
    auto note = ledger_.checkpoint();
    auto size = note ? tree_size_of(*note) : Result<uint64_t>(note.error());
    if (!size) {
      spdlog::error("witnesses: cannot read the newest checkpoint: {}", size.error().to_string());
    } else {
      for (size_t i = 0; i < witnesses_.size(); ++i) {
        bool stop;
        {
          std::lock_guard<std::mutex> check(mu_);
          stop = quit_;
          // Already cosigned at this size: nothing to ask.
          auto it = cosigned_.find(*size);
          if (it != cosigned_.end() && it->second.count(witnesses_[i].vkey.name)) continue;
        }
        if (stop) break;
        ask(i, *note, *size);
      }
    }
    lock.lock();
  }
}

void WitnessCollector::ask(size_t i, const std::string& note, uint64_t size) {
  const WitnessEndpoint& w = witnesses_[i];
  auto client = Client::create(ClientOptions{w.url, tls_ca_, kWitnessTimeoutSeconds}, nullptr);
  if (!client) {
    spdlog::error("witness {}: {}", w.vkey.name, client.error().to_string());
    return;
  }
  // A 409 names the size the witness holds; ask again from there (a few times, as it may move).
  for (int attempt = 0; attempt < 3; ++attempt) {
    witness::AddCheckpointRequest request;
    request.old_size = witness_sizes_[i].value_or(0);
    request.note = note;
    if (request.old_size > size) {
      spdlog::error("witness {}: it cosigned size {}, larger than this log's {}: a different history?", w.vkey.name,
                    request.old_size, size);
      return;
    }
    if (request.old_size > 0) {
      auto proof = ledger_.consistency_proof(request.old_size, size);
      if (!proof) {
        spdlog::error("witness {}: consistency proof {} -> {}: {}", w.vkey.name, request.old_size, size, proof.error().to_string());
        return;
      }
      request.proof = std::move(proof).value();
    }
    auto res = (*client)->post("/add-checkpoint", witness::encode_add_checkpoint(request), "text/plain");
    if (!res) {
      spdlog::warn("witness {}: {}", w.vkey.name, res.error().to_string());
      return;
    }
    if (res->status == 409) {
      uint64_t held = 0;
      std::string body = res->body;
      if (!body.empty() && body.back() == '\n') body.pop_back();
      if (!witness::parse_tlog_decimal(body, &held)) {
        spdlog::warn("witness {}: 409 without a tree size", w.vkey.name);
        return;
      }
      witness_sizes_[i] = held;
      continue;
    }
    if (res->status != 200) {
      spdlog::warn("witness {}: add-checkpoint at size {} answered {}: {}", w.vkey.name, size, res->status, res->body.substr(0, 200));
      return;
    }
    auto verified = witness::verify_cosignatures(note + res->body, {w.vkey});
    if (!verified || verified->empty()) {
      spdlog::error("witness {}: its answer holds no valid cosignature: {}", w.vkey.name,
                    verified ? std::string("none with its key") : verified.error().message());
      return;
    }
    witness_sizes_[i] = size;
    std::lock_guard<std::mutex> lock(mu_);
    cosigned_[size][w.vkey.name] = verified->front().line;
    while (cosigned_.size() > kCosignedSizesKept) cosigned_.erase(cosigned_.begin());
    spdlog::info("witness {}: cosigned size {}", w.vkey.name, size);
    return;
  }
}

}  // namespace grantledger::server
