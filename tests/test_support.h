// Test support: temporary directories and a fingerprint of everything a ledger has on disk.
#pragma once

#include <capnp/message.h>

#include <filesystem>
#include <random>
#include <string>

#include "ledger/canonical.h"
#include "ledger/ledger.h"
#include "ledger/sha256.h"

namespace grantledger::testing {

// A fresh directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = (std::filesystem::temp_directory_path() /
             ("grantledger-test-" + std::to_string(rd()) + std::to_string(rd())))
                .string();
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// SHA-256 over every key and value of every column family: equal fingerprints before and
// after an operation mean it wrote nothing.
inline std::string fingerprint(Ledger& ledger) {
  Sha256 sha;
  Store& store = ledger.store();
  for (int cf = 0; cf < static_cast<int>(Cf::kCount); ++cf) {
    std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(rocksdb::ReadOptions(), store.cf(static_cast<Cf>(cf))));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      sha.update(u64_be(it->key().size()));
      sha.update(std::string_view(it->key().data(), it->key().size()));
      sha.update(u64_be(it->value().size()));
      sha.update(std::string_view(it->value().data(), it->value().size()));
    }
    REQUIRE(it->status().ok());
    sha.update(u64_be(0xffffffff));
  }
  return to_hex(sha.finish());
}

// fingerprint() of the ledger in `dir`, opened read-only for the purpose and closed again.
inline std::string fingerprint(const std::string& dir) {
  auto ledger = Ledger::open(dir, {.read_only = true});
  REQUIRE(ledger.has_value());
  return fingerprint(**ledger);
}

inline Bytes entity_event(const std::string& code, schema::EntityKind kind, const std::string& parent = "",
                          int32_t date = 15706 /* 2013-01-01 */) {
  capnp::MallocMessageBuilder m;
  auto e = m.initRoot<schema::Event>();
  e.setEffectiveDate(date);
  auto r = e.initBody().initEntityRegistered();
  r.setKind(kind);
  r.setCode(code);
  r.setName("Entity " + code);
  r.setParentCode(parent);
  return canonical_bytes(e.asReader());
}

inline Bytes key_event(const PublicKey& key, schema::Role role, const std::string& scope = "") {
  capnp::MallocMessageBuilder m;
  auto e = m.initRoot<schema::Event>();
  e.setEffectiveDate(15706);
  auto k = e.initBody().initKeyRegistered();
  k.setPublicKey(capnp::Data::Reader(reinterpret_cast<const capnp::byte*>(key.raw().data()), key.raw().size()));
  k.setRole(role);
  k.setName("key " + role_name(role));
  k.setScopeEntity(scope);
  return canonical_bytes(e.asReader());
}

inline Bytes revoke_event(const Hash32& key_id) {
  capnp::MallocMessageBuilder m;
  auto e = m.initRoot<schema::Event>();
  e.setEffectiveDate(15706);
  auto k = e.initBody().initKeyRevoked();
  k.setKeyId(capnp::Data::Reader(key_id.data(), key_id.size()));
  k.setReason("test");
  return canonical_bytes(e.asReader());
}

inline CommitRequest request(std::shared_ptr<const PrivateKey> signer, std::vector<Bytes> events,
                             std::string idempotency_key = "") {
  CommitRequest r;
  r.signer = std::move(signer);
  r.events = std::move(events);
  r.idempotency_key = std::move(idempotency_key);
  return r;
}

}  // namespace grantledger::testing
