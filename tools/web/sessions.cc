#include "tools/web/sessions.h"

#include <openssl/rand.h>

#include "ledger/sha256.h"

namespace grantledger::web {

namespace {

std::string digest_hex(const std::string& secret) { return to_hex(Sha256().digest(secret)); }

Result<std::string> random_hex32() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return Status::io_error("no randomness for a sign-in token");
  return to_hex(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

}  // namespace

void SessionStore::drop_expired(std::map<std::string, Entry>* entries, int64_t now_s) {
  for (auto it = entries->begin(); it != entries->end();) it = it->second.expires_s <= now_s ? entries->erase(it) : std::next(it);
}

Result<std::string> SessionStore::issue_token(const std::string& key_id_hex, int64_t now_s) {
  GL_ASSIGN_OR_RETURN(std::string token, random_hex32());
  std::lock_guard<std::mutex> lock(mu_);
  if (tokens_.size() >= kMaxOpenSessions) drop_expired(&tokens_, now_s);
  if (tokens_.size() >= kMaxOpenSessions)
    return Status::io_error("too many sign-in links are open; try again in " + std::to_string(kSignInTokenSeconds) + " seconds");
  tokens_[digest_hex(token)] = Entry{key_id_hex, now_s + kSignInTokenSeconds};
  return token;
}

std::optional<std::string> SessionStore::redeem(const std::string& token, int64_t now_s) {
  auto session = random_hex32();
  if (!session) return std::nullopt;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tokens_.find(digest_hex(token));
  if (it == tokens_.end()) return std::nullopt;
  Entry entry = it->second;
  tokens_.erase(it);  // one use, whatever follows
  if (entry.expires_s <= now_s) return std::nullopt;
  if (sessions_.size() >= kMaxOpenSessions) drop_expired(&sessions_, now_s);
  if (sessions_.size() >= kMaxOpenSessions) return std::nullopt;
  entry.expires_s = now_s + kSessionSeconds;
  sessions_[digest_hex(*session)] = entry;
  return *session;
}

std::optional<std::string> SessionStore::key_of(const std::string& session, int64_t now_s) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(digest_hex(session));
  if (it == sessions_.end()) return std::nullopt;
  if (it->second.expires_s <= now_s) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second.key_id_hex;
}

void SessionStore::end(const std::string& session) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(digest_hex(session));
}

}  // namespace grantledger::web
