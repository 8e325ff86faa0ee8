#include "tools/audit/bundle.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "ledger/canonical.h"
#include "ledger/log_reader.h"
#include "ledger/merkle.h"
#include "ledger/sha256.h"

namespace grantledger::audit {

namespace fs = std::filesystem;

namespace {


void put_u32_le(Bytes* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint32_t get_u32_le(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

Status write_file(const fs::path& path, std::string_view contents) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  f.close();
  if (!f) return Status::io_error("cannot write " + path.string());
  return Status::ok();
}

Result<std::string> read_file(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::invalid_argument("cannot read " + path.string());
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return s;
}

// Appends framed messages to a file and hashes what it wrote.
class StreamWriter {
 public:
  explicit StreamWriter(const fs::path& path) : path_(path), f_(path, std::ios::binary | std::ios::trunc) {}
  void add(std::string_view canonical) {
    Bytes frame = stream_frame(canonical);
    f_.write(frame.data(), static_cast<std::streamsize>(frame.size()));
    sha_.update(frame);
    bytes_ += frame.size();
  }
  Result<nlohmann::json> finish() {
    f_.close();
    if (!f_) return Status::io_error("cannot write " + path_.string());
    return nlohmann::json{{"sha256", to_hex(sha_.finish())}, {"bytes", bytes_}};
  }

 private:
  fs::path path_;
  std::ofstream f_;
  Sha256 sha_;
  uint64_t bytes_ = 0;
};

}  // namespace

Bytes stream_frame(std::string_view canonical) {
  GL_ASSERT(canonical.size() % 8 == 0);
  Bytes out;
  out.reserve(8 + canonical.size());
  put_u32_le(&out, 0);  // segment count - 1
  put_u32_le(&out, static_cast<uint32_t>(canonical.size() / 8));
  out += canonical;
  return out;
}

Result<BundleInfo> export_bundle(Ledger& ledger, const std::string& out_dir) {
  std::error_code ec;
  if (fs::exists(out_dir, ec) && !fs::is_empty(out_dir, ec))
    return Status::invalid_argument("bundle directory " + out_dir + " exists and is not empty");
  fs::create_directories(fs::path(out_dir) / "checkpoints", ec);
  if (!ec) fs::create_directories(fs::path(out_dir) / "keys", ec);
  if (ec) return Status::io_error("cannot create " + out_dir + ": " + ec.message());

  // The records as stored, from one snapshot: the audit of the bundle checks them (a damaged
  // ledger exports, and its bundle's audit names the damage).
  GL_ASSIGN_OR_RETURN(std::unique_ptr<LogReader> reader, LogReader::open(ledger));
  const Head head = reader->head();
  BundleInfo info;

  StreamWriter events(fs::path(out_dir) / "events.bin");
  GL_RETURN_IF_ERROR(reader->for_each_stored(StoredFamily::kEvents, [&](std::string_view, std::string_view value) -> Result<bool> {
    if (info.events >= head.tree_size) return false;
    events.add(value);
    ++info.events;
    // Every signer key the log registers, as PEM, for checking a commit with plain tools.
    auto msg = DecodedMessage::decode(value);
    if (msg && msg->root<schema::Event>().getBody().which() == schema::Event::Body::KEY_REGISTERED) {
      auto raw = msg->root<schema::Event>().getBody().getKeyRegistered().getPublicKey();
      auto pub = PublicKey::from_raw(std::string_view(reinterpret_cast<const char*>(raw.begin()), raw.size()));
      if (pub) {
        GL_RETURN_IF_ERROR(write_file(fs::path(out_dir) / "keys" / (to_hex(pub->key_id()) + ".pub.pem"), pub->to_pem()));
        ++info.keys;
      }
    }
    return true;
  }));
  GL_ASSIGN_OR_RETURN(nlohmann::json events_file, events.finish());

  StreamWriter commits(fs::path(out_dir) / "commits.bin");
  GL_RETURN_IF_ERROR(reader->for_each_stored(StoredFamily::kCommits, [&](std::string_view, std::string_view value) -> Result<bool> {
    if (info.commits >= head.commit_count) return false;
    commits.add(value);
    ++info.commits;
    return true;
  }));
  GL_ASSIGN_OR_RETURN(nlohmann::json commits_file, commits.finish());

  GL_RETURN_IF_ERROR(reader->for_each_stored(StoredFamily::kCheckpoints, [&](std::string_view key, std::string_view value) -> Result<bool> {
    if (key.size() != 8) return Status::corruption("checkpoints: malformed key");
    uint64_t size = get_u64_be(key);
    if (size > head.tree_size) return false;
    GL_RETURN_IF_ERROR(write_file(fs::path(out_dir) / "checkpoints" / (std::to_string(size) + ".txt"), value));
    ++info.checkpoints;
    return true;
  }));
  GL_RETURN_IF_ERROR(write_file(fs::path(out_dir) / "keys" / "log.pub.pem", ledger.log_public_key().to_pem()));

  GL_ASSIGN_OR_RETURN(Hash32 root, ledger.root(head.tree_size));
  nlohmann::json manifest = {
      {"format", kBundleFormat},
      {"log_format", kFormatVersion},
      {"origin", ledger.origin()},
      {"commit_count", head.commit_count},
      {"tree_size", head.tree_size},
      {"root", to_hex(root)},
      {"last_commit_hash", to_hex(head.last_commit_hash)},
      {"last_recorded_at_ns", head.last_recorded_at_ns},
      {"log_key_id", to_hex(ledger.log_public_key().key_id())},
      {"files", {{"events.bin", events_file}, {"commits.bin", commits_file}}},
      {"checkpoints", info.checkpoints},
      {"schema", "spec/events.capnp (file ID 0xeac444fb4d8d5972): events.bin holds Event, commits.bin Commit"}};
  GL_RETURN_IF_ERROR(write_file(fs::path(out_dir) / "manifest.json", manifest.dump(2) + "\n"));
  spdlog::info("export-bundle dir={} events={} commits={} checkpoints={}", out_dir, info.events, info.commits,
               info.checkpoints);
  return info;
}

namespace {

// Reads a single-segment message stream, hashing every byte it consumes.
class StreamReader {
 public:
  StreamReader(const fs::path& path, std::string name) : name_(std::move(name)), f_(path, std::ios::binary) {}
  bool is_open() const { return f_.is_open(); }
  // Next message's segment, or nullopt at the end or at a framing error (`error()` says which).
  std::optional<Bytes> next() {
    if (!error_.empty() || ended_) return std::nullopt;
    char header[8];
    f_.read(header, 8);
    if (f_.gcount() == 0) {
      ended_ = true;
      return std::nullopt;
    }
    if (f_.gcount() != 8) return fail("truncated segment table");
    sha_.update(std::string_view(header, 8));
    if (get_u32_le(header) != 0) return fail("a message has more than one segment (the ledger writes one)");
    uint64_t size = uint64_t{get_u32_le(header + 4)} * 8;
    if (size == 0 || size > kMaxBundleMessageBytes) return fail("a message of " + std::to_string(size) + " bytes");
    Bytes body(size, '\0');
    f_.read(body.data(), static_cast<std::streamsize>(size));
    if (static_cast<uint64_t>(f_.gcount()) != size) return fail("truncated message");
    sha_.update(body);
    bytes_ += 8 + size;
    ++count_;
    return body;
  }
  const std::string& error() const { return error_; }
  bool ended() const { return ended_; }
  Hash32 digest() { return sha_.finish(); }
  uint64_t bytes() const { return bytes_; }
  uint64_t count() const { return count_; }
  const std::string& name() const { return name_; }

 private:
  std::optional<Bytes> fail(std::string why) {
    error_ = name_ + " message " + std::to_string(count_) + ": " + std::move(why);
    return std::nullopt;
  }
  std::string name_;
  std::ifstream f_;
  Sha256 sha_;
  std::string error_;
  bool ended_ = false;
  uint64_t bytes_ = 0, count_ = 0;
};

class BundleSource : public AuditSource {
 public:
  BundleSource(std::string dir, nlohmann::json manifest, std::string origin, PublicKey bundle_key,
               std::optional<PublicKey> pinned, Head head)
      : dir_(std::move(dir)),
        manifest_(std::move(manifest)),
        origin_(std::move(origin)),
        bundle_key_(std::move(bundle_key)),
        pinned_(std::move(pinned)),
        head_(head),
        events_(fs::path(dir_) / "events.bin", "events.bin"),
        commits_(fs::path(dir_) / "commits.bin", "commits.bin") {}

  bool streams_open() const { return events_.is_open() && commits_.is_open(); }
  std::string description() const override { return "bundle " + dir_; }
  const std::string& origin() const override { return origin_; }
  const PublicKey& log_key() const override { return pinned_ ? *pinned_ : bundle_key_; }
  Head head() const override { return head_; }

  Status next_commit(std::optional<SourceRecord>* out) override { return next(commits_, &commit_key_, out); }
  Status next_event(std::optional<SourceRecord>* out) override { return next(events_, &event_key_, out); }

  Result<std::optional<std::string>> checkpoint(uint64_t tree_size) override {
    fs::path p = fs::path(dir_) / "checkpoints" / (std::to_string(tree_size) + ".txt");
    std::error_code ec;
    if (!fs::exists(p, ec)) return std::optional<std::string>();
    GL_ASSIGN_OR_RETURN(std::string note, read_file(p));
    return std::optional<std::string>(std::move(note));
  }

  Result<std::vector<uint64_t>> checkpoint_sizes() override {
    std::vector<uint64_t> sizes;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(fs::path(dir_) / "checkpoints", ec)) {
      std::string name = entry.path().filename().string();
      uint64_t size = 0;
      auto [ptr, err] = std::from_chars(name.data(), name.data() + name.size(), size);
      if (err != std::errc() || std::string_view(ptr) != ".txt") continue;
      sizes.push_back(size);
    }
    if (ec) return Status::io_error("cannot list " + dir_ + "/checkpoints: " + ec.message());
    std::sort(sizes.begin(), sizes.end());
    return sizes;
  }

  void final_checks(std::vector<Finding>* findings) override {
    auto add = [&](std::string key, std::string reason) {
      findings->push_back({FindingClass::kBundle, std::nullopt, std::nullopt, std::nullopt, std::move(key), std::move(reason)});
    };
    for (StreamReader* s : {&events_, &commits_}) {
      if (!s->error().empty()) {
        add(s->name(), s->error());
        continue;
      }
      // Drain what the audit did not read, so the hash covers the whole file.
      while (s->next()) {
      }
      const auto& want = manifest_["files"][s->name()];
      std::string sha = to_hex(s->digest());
      if (!want.is_object() || want.value("sha256", "") != sha || want.value("bytes", uint64_t{0}) != s->bytes())
        add(s->name(), "SHA-256 " + sha.substr(0, 16) + " and size " + std::to_string(s->bytes()) +
                           " differ from the manifest's");
    }
    if (pinned_ && pinned_->raw() != bundle_key_.raw())
      add("keys/log.pub.pem", "the bundle's log key " + to_hex(bundle_key_.key_id()).substr(0, 16) +
                                  " is not the key the auditor gave (" + to_hex(pinned_->key_id()).substr(0, 16) + ")");
  }

 private:
  Status next(StreamReader& s, uint64_t* key, std::optional<SourceRecord>* out) {
    auto body = s.next();
    if (!body) {
      out->reset();
      return Status::ok();
    }
    *out = SourceRecord{(*key)++, std::move(*body)};
    return Status::ok();
  }

  std::string dir_;
  nlohmann::json manifest_;
  std::string origin_;
  PublicKey bundle_key_;
  std::optional<PublicKey> pinned_;
  Head head_;
  StreamReader events_, commits_;
  uint64_t event_key_ = 0, commit_key_ = 0;
};

}  // namespace

Result<std::unique_ptr<AuditSource>> open_bundle_source(const std::string& dir, std::optional<PublicKey> pinned_log_key) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::invalid_argument("bundle directory " + dir + " does not exist");
  auto text = read_file(fs::path(dir) / "manifest.json");
  if (!text) return Status::invalid_argument(dir + " is not an audit bundle: no manifest.json");
  auto manifest = nlohmann::json::parse(*text, nullptr, false);
  if (manifest.is_discarded() || !manifest.is_object())
    return Status::invalid_argument(dir + "/manifest.json: not a JSON object");
  if (manifest.value("format", "") != kBundleFormat)
    return Status::invalid_argument(dir + "/manifest.json: format is not " + std::string(kBundleFormat));
  Head head;
  try {
    head.commit_count = manifest.at("commit_count").get<uint64_t>();
    head.tree_size = manifest.at("tree_size").get<uint64_t>();
    auto last = from_hex(manifest.at("last_commit_hash").get<std::string>());
    if (!last || last->size() != 32) return Status::invalid_argument(dir + "/manifest.json: last_commit_hash is not 32 hex bytes");
    head.last_commit_hash = to_hash32(*last);
    head.last_recorded_at_ns = manifest.at("last_recorded_at_ns").get<int64_t>();
  } catch (const nlohmann::json::exception& e) {
    return Status::invalid_argument(dir + "/manifest.json: " + e.what());
  }
  std::string origin = manifest.value("origin", "");
  if (origin.empty()) return Status::invalid_argument(dir + "/manifest.json: no origin");
  auto key = PublicKey::load((fs::path(dir) / "keys" / "log.pub.pem").string());
  if (!key) return Status::invalid_argument(dir + "/keys/log.pub.pem: " + key.error().message());
  auto source = std::make_unique<BundleSource>(dir, std::move(manifest), std::move(origin), std::move(key).value(),
                                               std::move(pinned_log_key), head);
  if (!source->streams_open()) return Status::invalid_argument(dir + " is not an audit bundle: events.bin or commits.bin is missing");
  return std::unique_ptr<AuditSource>(std::move(source));
}

}  // namespace grantledger::audit
