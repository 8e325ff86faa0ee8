#include "bench/ingest_sqlite.h"

#include <sqlite3.h>

#include "ledger/account.h"
#include "ledger/canonical.h"
#include "ledger/date.h"
#include "ledger/merkle.h"
#include "ledger/sha256.h"
#include "ledger/tree_nodes.h"
#include "tools/demo/scenario.h"

namespace grantledger::bench {

namespace {

using Which = schema::Event::Body::Which;

constexpr const char* kSchema = R"sql(
PRAGMA journal_mode=WAL;
PRAGMA synchronous=FULL;
CREATE TABLE events(idx INTEGER PRIMARY KEY, bytes BLOB NOT NULL, leaf_hash BLOB NOT NULL, commit_seq INTEGER NOT NULL);
CREATE TABLE nodes(level INTEGER, idx INTEGER, hash BLOB NOT NULL, PRIMARY KEY(level, idx)) WITHOUT ROWID;
CREATE TABLE commits(seq INTEGER PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE, first_event INTEGER, event_count INTEGER,
                     signer BLOB, created_at_ns INTEGER, recorded_at_ns INTEGER, submission_sig BLOB, root BLOB,
                     commit_hash BLOB, log_sig BLOB);
CREATE TABLE checkpoints(tree_size INTEGER PRIMARY KEY, note BLOB, sig BLOB);
CREATE TABLE keys(key_id BLOB PRIMARY KEY, public_key BLOB, role INTEGER, scope TEXT) WITHOUT ROWID;
CREATE TABLE entities(code TEXT PRIMARY KEY, kind TEXT) WITHOUT ROWID;
CREATE TABLE programmes(code TEXT PRIMARY KEY, rate_bp INTEGER, claim_deadline INTEGER, window_from INTEGER, window_to INTEGER,
                        owner_administered INTEGER) WITHOUT ROWID;
CREATE TABLE payments(id TEXT PRIMARY KEY, employer TEXT, amount INTEGER, claimed INTEGER, reversed INTEGER,
                      payment_date INTEGER, course_start INTEGER) WITHOUT ROWID;
CREATE TABLE claims(id TEXT PRIMARY KEY, programme TEXT, payment_id TEXT, employer TEXT, amount INTEGER, status INTEGER,
                    claimant BLOB) WITHOUT ROWID;
CREATE TABLE payment_refs(ref TEXT PRIMARY KEY, claim TEXT) WITHOUT ROWID;
CREATE TABLE effects(event_idx INTEGER PRIMARY KEY, type INTEGER, id TEXT, target INTEGER, reversed INTEGER);
CREATE TABLE postings(event_idx INTEGER, leg INTEGER, account TEXT, amount INTEGER, PRIMARY KEY(event_idx, leg)) WITHOUT ROWID;
CREATE TABLE balances(account TEXT PRIMARY KEY, balance INTEGER NOT NULL) WITHOUT ROWID;
)sql";

enum ClaimStatus : int64_t { kClaimed = 0, kApproved = 1, kRejected = 2, kPaid = 3 };

Status rejected(const std::string& why) { return Status::rejected(why); }

// One prepared statement, reset after each use.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s_, nullptr) != SQLITE_OK) {
      std::fprintf(stderr, "sqlite prepare: %s: %s\n", sqlite3_errmsg(db), sql);
      std::abort();
    }
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& bind(int i, int64_t v) { return check(sqlite3_bind_int64(s_, i, v)); }
  Stmt& bind(int i, std::string_view v) {
    return check(sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  Stmt& blob(int i, std::string_view v) { return check(sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT)); }
  // SQLITE_ROW -> true; SQLITE_DONE -> false; else the error.
  Result<bool> step() {
    int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    int ext = sqlite3_extended_errcode(sqlite3_db_handle(s_));
    std::string msg = sqlite3_errmsg(sqlite3_db_handle(s_));
    sqlite3_reset(s_);
    if (ext == SQLITE_CONSTRAINT_PRIMARYKEY || ext == SQLITE_CONSTRAINT_UNIQUE) return rejected("already exists: " + msg);
    return Status::io_error("sqlite: " + msg);
  }
  Status run() {
    auto r = step();
    sqlite3_reset(s_);
    return r.status();
  }
  int64_t i64(int col) const { return sqlite3_column_int64(s_, col); }
  std::string text(int col) const {
    const char* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(s_, col))) : std::string();
  }
  void reset() { sqlite3_reset(s_); }

 private:
  Stmt& check(int rc) {
    if (rc != SQLITE_OK) std::abort();
    return *this;
  }
  sqlite3_stmt* s_ = nullptr;
};

std::string_view text_of(capnp::Text::Reader t) { return {t.cStr(), t.size()}; }

}  // namespace

struct SqliteLedger::Impl {
  sqlite3* db = nullptr;
  std::string origin;
  std::shared_ptr<const PrivateKey> log_key;
  Sha256 sha;
  MerkleFrontier frontier;
  uint64_t commit_seq = 0;
  Hash32 prev_commit_hash{};

  std::unique_ptr<Stmt> begin, commit, rollback, find_commit, find_key, find_entity, find_programme, insert_payment,
      find_payment, update_payment_claimed, reverse_payment, insert_claim, find_claim, update_claim_status, insert_ref,
      insert_effect, find_effect, reverse_effect, insert_posting, find_postings, add_balance, insert_event, insert_node,
      insert_commit, insert_checkpoint;

  ~Impl() {
    for (auto* s : {&begin, &commit, &rollback, &find_commit, &find_key, &find_entity, &find_programme, &insert_payment,
                    &find_payment, &update_payment_claimed, &reverse_payment, &insert_claim, &find_claim,
                    &update_claim_status, &insert_ref, &insert_effect, &find_effect, &reverse_effect, &insert_posting,
                    &find_postings, &add_balance, &insert_event, &insert_node, &insert_commit, &insert_checkpoint})
      s->reset();
    sqlite3_close(db);
  }

  Status exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) == SQLITE_OK) return Status::ok();
    std::string msg = err ? err : "?";
    sqlite3_free(err);
    return Status::io_error("sqlite: " + msg);
  }

  void prepare() {
    auto p = [&](const char* sql) { return std::make_unique<Stmt>(db, sql); };
    begin = p("BEGIN IMMEDIATE");
    commit = p("COMMIT");
    rollback = p("ROLLBACK");
    find_commit = p("SELECT seq FROM commits WHERE idempotency_key = ?");
    find_key = p("SELECT public_key, role, scope FROM keys WHERE key_id = ?");
    find_entity = p("SELECT kind FROM entities WHERE code = ?");
    find_programme = p("SELECT rate_bp, claim_deadline, window_from, window_to, owner_administered FROM programmes WHERE code = ?");
    insert_payment = p("INSERT INTO payments VALUES (?, ?, ?, 0, 0, ?, ?)");
    find_payment = p("SELECT employer, amount, claimed, reversed, payment_date, course_start FROM payments WHERE id = ?");
    update_payment_claimed = p("UPDATE payments SET claimed = ? WHERE id = ?");
    reverse_payment = p("UPDATE payments SET reversed = ? WHERE id = ?");
    insert_claim = p("INSERT INTO claims VALUES (?, ?, ?, ?, ?, 0, ?)");
    find_claim = p("SELECT programme, payment_id, employer, amount, status, claimant FROM claims WHERE id = ?");
    update_claim_status = p("UPDATE claims SET status = ? WHERE id = ?");
    insert_ref = p("INSERT INTO payment_refs VALUES (?, ?)");
    insert_effect = p("INSERT INTO effects VALUES (?, ?, ?, ?, 0)");
    find_effect = p("SELECT type, id, target, reversed FROM effects WHERE event_idx = ?");
    reverse_effect = p("UPDATE effects SET reversed = 1 WHERE event_idx = ?");
    insert_posting = p("INSERT INTO postings VALUES (?, ?, ?, ?)");
    find_postings = p("SELECT account, amount FROM postings WHERE event_idx = ? ORDER BY leg");
    add_balance = p("INSERT INTO balances VALUES (?1, ?2) ON CONFLICT(account) DO UPDATE SET balance = balance + ?2 RETURNING balance");
    insert_event = p("INSERT INTO events VALUES (?, ?, ?, ?)");
    insert_node = p("INSERT INTO nodes VALUES (?, ?, ?)");
    insert_commit = p("INSERT INTO commits VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert_checkpoint = p("INSERT INTO checkpoints VALUES (?, ?, ?)");
  }

  // Postings of one event: inserted, balances moved, floors checked.
  Status post(uint64_t index, const std::vector<std::pair<std::string, int64_t>>& legs) {
    int64_t sum = 0;
    for (size_t i = 0; i < legs.size(); ++i) {
      const auto& [account, amount] = legs[i];
      sum += amount;
      GL_RETURN_IF_ERROR(insert_posting->bind(1, static_cast<int64_t>(index)).bind(2, static_cast<int64_t>(i)).bind(3, account).bind(4, amount).run());
      add_balance->bind(1, account).bind(2, amount);
      GL_ASSIGN_OR_RETURN(bool row, add_balance->step());
      int64_t after = row ? add_balance->i64(0) : 0;
      add_balance->reset();
      if (after < 0) {
        std::optional<Account> a = Account::parse(account);
        if (!a) return Status::corruption("posting to " + account + ", not an account");
        if (a->has_floor()) return rejected("account " + account + " would go to " + std::to_string(after));
      }
    }
    if (sum != 0) return Status::corruption("postings do not sum to zero");
    return Status::ok();
  }

  Status apply(uint64_t index, const std::string& signer_id, schema::Role role, const std::string& scope,
               schema::Event::Reader event) {
    auto body = event.getBody();
    switch (body.which()) {
      case Which::COURSE_PAYMENT_RECORDED: {
        auto e = body.getCoursePaymentRecorded();
        std::string id(text_of(e.getPaymentId())), employer(text_of(e.getEmployerCode())), provider(text_of(e.getProviderCode()));
        if (role != schema::Role::FINANCE_OFFICER || scope != employer) return rejected("out of scope: " + employer);
        find_entity->bind(1, employer);
        GL_ASSIGN_OR_RETURN(bool emp, find_entity->step());
        bool is_employer = emp && find_entity->text(0) == "employer";
        find_entity->reset();
        find_entity->bind(1, provider);
        GL_ASSIGN_OR_RETURN(bool prov, find_entity->step());
        bool is_provider = prov && find_entity->text(0) == "provider";
        find_entity->reset();
        if (!is_employer || !is_provider) return rejected("payment " + id + ": unknown employer or provider");
        if (e.getAmountOre() <= 0 || e.getParticipant().size() == 0 || e.getModule().size() == 0) return rejected("payment " + id + ": invalid");
        GL_RETURN_IF_ERROR(insert_payment->bind(1, id).bind(2, employer).bind(3, e.getAmountOre()).bind(4, e.getPaymentDate())
                               .bind(5, e.getCourseStartDate()).run());
        GL_RETURN_IF_ERROR(post(index, {{Account::course_fees(employer).name(), e.getAmountOre()},
                                        {Account::course_income(provider).name(), -e.getAmountOre()}}));
        return insert_effect->bind(1, static_cast<int64_t>(index)).bind(2, static_cast<int64_t>(Which::COURSE_PAYMENT_RECORDED)).bind(3, id).bind(4, int64_t{-1}).run();
      }
      case Which::REIMBURSEMENT_CLAIMED: {
        auto e = body.getReimbursementClaimed();
        std::string id(text_of(e.getClaimId())), programme(text_of(e.getProgrammeCode())), payment(text_of(e.getPaymentId()));
        find_programme->bind(1, programme);
        GL_ASSIGN_OR_RETURN(bool found, find_programme->step());
        int64_t rate = found ? find_programme->i64(0) : 0, deadline = found ? find_programme->i64(1) : 0;
        find_programme->reset();
        if (!found) return rejected("programme " + programme + " is not registered");
        if (event.getEffectiveDate() > deadline) return rejected("claim " + id + " after the deadline");
        find_payment->bind(1, payment);
        GL_ASSIGN_OR_RETURN(bool pay, find_payment->step());
        std::string employer = pay ? find_payment->text(0) : "";
        int64_t amount = pay ? find_payment->i64(1) : 0, claimed = pay ? find_payment->i64(2) : 0, reversed = pay ? find_payment->i64(3) : 0;
        find_payment->reset();
        if (!pay || reversed) return rejected("course payment " + payment + " is not recorded");
        if (role == schema::Role::FINANCE_OFFICER && scope != employer) return rejected("out of scope: " + employer);
        if (e.getAmountOre() <= 0 || claimed + e.getAmountOre() > amount * rate / 10000) return rejected("claim " + id + ": over-reimbursement");
        GL_RETURN_IF_ERROR(update_payment_claimed->bind(1, claimed + e.getAmountOre()).bind(2, payment).run());
        return insert_claim->bind(1, id).bind(2, programme).bind(3, payment).bind(4, employer).bind(5, e.getAmountOre()).blob(6, signer_id).run();
      }
      case Which::REIMBURSEMENT_APPROVED:
      case Which::REIMBURSEMENT_REJECTED:
      case Which::REIMBURSEMENT_PAID: {
        std::string id(text_of(body.which() == Which::REIMBURSEMENT_APPROVED   ? body.getReimbursementApproved().getClaimId()
                               : body.which() == Which::REIMBURSEMENT_REJECTED ? body.getReimbursementRejected().getClaimId()
                                                                               : body.getReimbursementPaid().getClaimId()));
        if (role != schema::Role::PROGRAMME_ADMINISTRATOR) return rejected("role not allowed");
        find_claim->bind(1, id);
        GL_ASSIGN_OR_RETURN(bool found, find_claim->step());
        std::string programme = found ? find_claim->text(0) : "", payment = found ? find_claim->text(1) : "",
                    employer = found ? find_claim->text(2) : "", claimant = found ? find_claim->text(5) : "";
        int64_t amount = found ? find_claim->i64(3) : 0, status = found ? find_claim->i64(4) : 0;
        find_claim->reset();
        if (!found) return rejected("claim " + id + " is not recorded");
        if (claimant == signer_id) return rejected("segregation of duties");
        find_programme->bind(1, programme);
        GL_ASSIGN_OR_RETURN(bool prog, find_programme->step());
        int64_t window_from = prog ? find_programme->i64(2) : 0, window_to = prog ? find_programme->i64(3) : 0,
                owner = prog ? find_programme->i64(4) : 0;
        find_programme->reset();
        if (!prog || !owner) return rejected("not the programme's owner");
        if (body.which() == Which::REIMBURSEMENT_PAID) {
          if (status != kApproved) return rejected("claim " + id + " is not approved");
          GL_RETURN_IF_ERROR(insert_ref->bind(1, text_of(body.getReimbursementPaid().getPaymentReference())).bind(2, id).run());
          GL_RETURN_IF_ERROR(post(index, {{Account::reserved(programme, employer).name(), -amount}, {Account::paid(programme, employer).name(), amount}}));
          GL_RETURN_IF_ERROR(insert_effect->bind(1, static_cast<int64_t>(index)).bind(2, static_cast<int64_t>(Which::REIMBURSEMENT_PAID)).bind(3, id).bind(4, int64_t{-1}).run());
          return update_claim_status->bind(1, int64_t{kPaid}).bind(2, id).run();
        }
        if (status != kClaimed) return rejected("claim " + id + " is not pending");
        find_payment->bind(1, payment);
        GL_ASSIGN_OR_RETURN(bool pay, find_payment->step());
        int64_t claimed = pay ? find_payment->i64(2) : 0, paid_on = pay ? find_payment->i64(4) : 0, starts = pay ? find_payment->i64(5) : 0;
        find_payment->reset();
        if (!pay) return Status::corruption("payment of claim " + id);
        if (body.which() == Which::REIMBURSEMENT_REJECTED) {
          if (body.getReimbursementRejected().getReason().size() == 0) return rejected("reason: empty");
          GL_RETURN_IF_ERROR(update_payment_claimed->bind(1, claimed - amount).bind(2, payment).run());
          return update_claim_status->bind(1, int64_t{kRejected}).bind(2, id).run();
        }
        if (paid_on < window_from || paid_on > window_to || starts < window_from || starts > window_to)
          return rejected("claim " + id + ": outside the programme's windows");
        // The remaining allocation is the available account's floor (checked by post).
        GL_RETURN_IF_ERROR(post(index, {{Account::available(programme, employer).name(), -amount}, {Account::reserved(programme, employer).name(), amount}}));
        return update_claim_status->bind(1, int64_t{kApproved}).bind(2, id).run();
      }
      case Which::EVENT_REVERSED: {
        auto e = body.getEventReversed();
        if (e.getReason().size() == 0) return rejected("reason: empty");
        int64_t target = static_cast<int64_t>(e.getEventIndex());
        find_effect->bind(1, target);
        GL_ASSIGN_OR_RETURN(bool found, find_effect->step());
        int64_t type = found ? find_effect->i64(0) : 0, reversed = found ? find_effect->i64(3) : 0;
        std::string id = found ? find_effect->text(1) : "";
        find_effect->reset();
        if (!found || reversed) return rejected("event " + std::to_string(target) + " is not reversible");
        if (type != static_cast<int64_t>(Which::REIMBURSEMENT_PAID) || role != schema::Role::PROGRAMME_ADMINISTRATOR)
          return rejected("the bench's SQLite build reverses payouts only");
        find_claim->bind(1, id);
        GL_ASSIGN_OR_RETURN(bool claim, find_claim->step());
        int64_t status = claim ? find_claim->i64(4) : 0;
        find_claim->reset();
        if (!claim || status != kPaid) return rejected("claim " + id + " is not paid");
        std::vector<std::pair<std::string, int64_t>> legs;
        find_postings->bind(1, target);
        while (true) {
          GL_ASSIGN_OR_RETURN(bool row, find_postings->step());
          if (!row) break;
          legs.emplace_back(find_postings->text(0), -find_postings->i64(1));
        }
        find_postings->reset();
        GL_RETURN_IF_ERROR(post(index, legs));
        GL_RETURN_IF_ERROR(update_claim_status->bind(1, int64_t{kApproved}).bind(2, id).run());
        GL_RETURN_IF_ERROR(reverse_effect->bind(1, target).run());
        return insert_effect->bind(1, static_cast<int64_t>(index)).bind(2, static_cast<int64_t>(Which::EVENT_REVERSED)).bind(3, id).bind(4, target).run();
      }
      default:
        return Status::ok();  // the seed's events (keys, entities, programmes): stored, not interpreted
    }
  }

  Status append_events(const std::vector<std::string>& events, const std::string& signer_id, schema::Role role,
                       const std::string& scope, std::vector<Hash32>* leaf_hashes, bool interpret) {
    for (size_t i = 0; i < events.size(); ++i) {
      const uint64_t index = frontier.size();
      GL_ASSIGN_OR_RETURN(DecodedMessage msg, DecodedMessage::decode(events[i]));
      Hash32 leaf = merkle_leaf_hash(sha, events[i]);
      if (leaf_hashes) leaf_hashes->push_back(leaf);
      if (interpret) {
        Status s = apply(index, signer_id, role, scope, msg.root<schema::Event>());
        if (!s.is_ok()) return s.with_context("event " + std::to_string(i + 1) + ": ");
      }
      GL_RETURN_IF_ERROR(insert_event->bind(1, static_cast<int64_t>(index)).blob(2, events[i]).blob(3, as_view(leaf))
                             .bind(4, static_cast<int64_t>(commit_seq)).run());
      std::vector<std::pair<MerkleNodeId, Hash32>> completed;
      frontier.append(sha, leaf, &completed);
      for (const auto& [id, h] : completed)
        if (tree_node_is_stored(id))  // the nodes grantledger stores (ledger/tree_nodes.h)
          GL_RETURN_IF_ERROR(insert_node->bind(1, int64_t{id.level}).bind(2, static_cast<int64_t>(id.index)).blob(3, as_view(h)).run());
    }
    return Status::ok();
  }

  Status append(const Submission& s, int64_t recorded_at_ns) {
    GL_RETURN_IF_ERROR(begin->run());
    MerkleFrontier saved = frontier;
    Status st = append_in_transaction(s, recorded_at_ns);
    if (!st.is_ok()) {
      frontier = std::move(saved);
      (void)rollback->run();
      return st;
    }
    Status c = commit->run();  // the fsync (WAL, synchronous=FULL)
    if (!c.is_ok()) frontier = std::move(saved);
    return c;
  }

  Status append_in_transaction(const Submission& s, int64_t recorded_at_ns) {
    find_commit->bind(1, s.idempotency_key);
    GL_ASSIGN_OR_RETURN(bool seen, find_commit->step());
    find_commit->reset();
    if (seen) return Status::already_exists("idempotency key " + s.idempotency_key);
    const std::string signer_id(as_view(s.signed_by.signer_key_id));
    find_key->blob(1, signer_id);
    GL_ASSIGN_OR_RETURN(bool known, find_key->step());
    std::string public_raw = known ? find_key->text(0) : "", scope = known ? find_key->text(2) : "";
    auto role = static_cast<schema::Role>(known ? find_key->i64(1) : 0);
    find_key->reset();
    if (!known) return rejected("unknown signer");
    const uint64_t first = frontier.size();
    std::vector<Hash32> leaf_hashes;
    GL_RETURN_IF_ERROR(append_events(s.events, signer_id, role, scope, &leaf_hashes, true));
    GL_ASSIGN_OR_RETURN(PublicKey signer, PublicKey::from_raw(public_raw));
    if (!signer.verify(submission_signed_bytes(origin, s.idempotency_key, s.signed_by.signer_key_id, s.signed_by.created_at_ns, leaf_hashes),
                       s.signed_by.signature))
      return Status::invalid_argument("signature: does not verify");
    // The commit: chained to the previous commit's hash, over the new root; signed by the log key.
    Hash32 root = frontier.root(sha);
    std::string body;
    body.reserve(200 + 32 * leaf_hashes.size());
    auto put_u64 = [&](uint64_t v) { body.append(reinterpret_cast<const char*>(&v), sizeof v); };
    body += as_view(prev_commit_hash);
    put_u64(++commit_seq);
    put_u64(first);
    put_u64(leaf_hashes.size());
    put_u64(static_cast<uint64_t>(recorded_at_ns));
    body += signer_id;
    body += s.signed_by.signature;
    for (const Hash32& h : leaf_hashes) body += as_view(h);
    body += as_view(root);
    Hash32 commit_hash = sha.digest(body);
    Bytes log_sig = log_key->sign(body);
    GL_RETURN_IF_ERROR(insert_commit->bind(1, static_cast<int64_t>(commit_seq)).bind(2, s.idempotency_key).bind(3, static_cast<int64_t>(first))
                           .bind(4, static_cast<int64_t>(leaf_hashes.size())).blob(5, signer_id).bind(6, s.signed_by.created_at_ns)
                           .bind(7, recorded_at_ns).blob(8, s.signed_by.signature).blob(9, as_view(root)).blob(10, as_view(commit_hash))
                           .blob(11, log_sig).run());
    std::string note = origin + "\n" + std::to_string(frontier.size()) + "\n" + to_hex(root) + "\n";
    GL_RETURN_IF_ERROR(insert_checkpoint->bind(1, static_cast<int64_t>(frontier.size())).blob(2, note).blob(3, log_key->sign(note)).run());
    prev_commit_hash = commit_hash;
    return Status::ok();
  }
};

SqliteLedger::SqliteLedger(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteLedger::~SqliteLedger() = default;

uint64_t SqliteLedger::tree_size() const { return impl_->frontier.size(); }

Status SqliteLedger::append(const Submission& submission, int64_t recorded_at_ns) { return impl_->append(submission, recorded_at_ns); }

Result<std::unique_ptr<SqliteLedger>> SqliteLedger::create(const std::string& path, std::string origin,
                                                           std::shared_ptr<const PrivateKey> log_key, const SqliteSeed& seed) {
  auto impl = std::make_unique<Impl>();
  if (sqlite3_open_v2(path.c_str(), &impl->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_EXCLUSIVE, nullptr) != SQLITE_OK)
    return Status::io_error("sqlite: cannot create " + path);
  impl->origin = std::move(origin);
  impl->log_key = std::move(log_key);
  GL_RETURN_IF_ERROR(impl->exec(kSchema));
  impl->prepare();
  // The seed, in one transaction: the demo's events (stored, hashed, in the tree), the keys, the
  // entities, the earmark and the starting balances.
  GL_RETURN_IF_ERROR(impl->begin->run());
  GL_RETURN_IF_ERROR(impl->append_events(seed.events, "", schema::Role::ADMIN, "", nullptr, false));
  {
    Stmt k(impl->db, "INSERT INTO keys VALUES (?, ?, ?, ?)");
    for (const auto& key : seed.keys)
      GL_RETURN_IF_ERROR(k.blob(1, as_view(key_id_of(key.public_key))).blob(2, key.public_key).bind(3, static_cast<int64_t>(key.role)).bind(4, key.scope).run());
    Stmt e(impl->db, "INSERT INTO entities VALUES (?, ?)");
    for (const auto& [code, kind] : seed.entities) GL_RETURN_IF_ERROR(e.bind(1, code).bind(2, kind).run());
    Stmt b(impl->db, "INSERT INTO balances VALUES (?, ?)");
    for (const auto& [account, ore] : seed.balances_ore) GL_RETURN_IF_ERROR(b.bind(1, account).bind(2, ore).run());
    Stmt p(impl->db, "INSERT INTO programmes VALUES (?, ?, ?, ?, ?, 1)");
    // The earmark as the demo creates it (tools/demo/scenario.cc): 100 %, claims by 2023-03-31,
    // every course kind paid and started 2019-03-01..2022-12-31, run by the workload's administrator.
    GL_RETURN_IF_ERROR(p.bind(1, demo::kSickLeaveEarmark).bind(2, int64_t{10000}).bind(3, int64_t{parse_date("2023-03-31").value()})
                           .bind(4, int64_t{parse_date("2019-03-01").value()}).bind(5, int64_t{parse_date("2022-12-31").value()}).run());
  }
  GL_RETURN_IF_ERROR(impl->commit->run());
  return std::unique_ptr<SqliteLedger>(new SqliteLedger(std::move(impl)));
}

}  // namespace grantledger::bench
