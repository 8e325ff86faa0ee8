#include "tools/sink/sink_position.h"

#include <charconv>

namespace grantledger::sink {

namespace {
bool parse_u64(const std::optional<std::string>& text, uint64_t* out) {
  if (!text) return false;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), *out);
  return ec == std::errc() && end == text->data() + text->size();
}
}  // namespace

Status init_position(PgConnection& conn, const std::string& origin) {
  GL_ASSIGN_OR_RETURN(
      PgRows state,
      conn.query("SELECT (SELECT count(*) FROM sink_state), EXISTS (SELECT 1 FROM commits)"));
  if (state.rows.at(0)[0].value_or("") == "0" && state.rows.at(0)[1].value_or("") == "t")
    return Status::conflict(
        "sink_state has no row but the sink's tables hold commits (removed by hand?): the sink "
        "cannot know where it stopped; "
        "empty the tables (or drop them) and sink again");
  return conn.exec(
      "INSERT INTO sink_state (singleton, origin, applied_commits, tree_size, tree_root, "
      "last_commit_hash, updated_at) "
      "VALUES (true, $1, 0, 0, '', '', now()) ON CONFLICT (singleton) DO NOTHING",
      {origin});
}

Result<SinkPosition> read_position(PgConnection& conn, bool lock) {
  GL_ASSIGN_OR_RETURN(PgRows rows,
                      conn.query(std::string("SELECT origin, applied_commits, tree_size, "
                                             "tree_root, last_commit_hash FROM sink_state "
                                             "WHERE singleton") +
                                 (lock ? " FOR UPDATE" : "")));
  if (rows.rows.size() != 1)
    return Status::conflict("sink_state: expected one row, found " +
                            std::to_string(rows.rows.size()) + " (changed by hand?)");
  const auto& r = rows.rows[0];
  SinkPosition p;
  p.origin = r[0].value_or("");
  p.tree_root = r[3].value_or("");
  p.last_commit_hash = r[4].value_or("");
  if (!parse_u64(r[1], &p.applied_commits) || !parse_u64(r[2], &p.tree_size))
    return Status::conflict(
        "sink_state: applied_commits or tree_size is not a count (changed by hand?)");
  return p;
}

Status write_position(PgConnection& conn, const SinkPosition& p) {
  GL_ASSIGN_OR_RETURN(PgRows r,
                      conn.query("UPDATE sink_state SET origin = $1, applied_commits = $2, "
                                 "tree_size = $3, tree_root = $4, "
                                 "last_commit_hash = $5, updated_at = now() WHERE singleton",
                                 {p.origin, std::to_string(p.applied_commits),
                                  std::to_string(p.tree_size), p.tree_root, p.last_commit_hash}));
  if (r.affected != 1) return Status::conflict("sink_state: the row vanished during the batch");
  return Status::ok();
}

Result<SinkPosition> position_after(Ledger& ledger, const CommitRecord& last) {
  SinkPosition p;
  p.origin = ledger.origin();
  p.applied_commits = last.info.sequence + 1;
  p.tree_size = last.info.first_event_index + last.info.event_count;
  GL_ASSIGN_OR_RETURN(Hash32 root, ledger.root(p.tree_size));
  p.tree_root = to_hex(root);
  p.last_commit_hash = to_hex(last.info.commit_hash);
  return p;
}

Status check_position(Ledger& ledger, const SinkPosition& stored) {
  const std::string refused =
      "the sink database holds another ledger's rows, or this log was rewritten: ";
  if (stored.origin != ledger.origin())
    return Status::conflict(refused + "sink_state.origin is \"" + stored.origin +
                            "\", the ledger's origin is \"" + ledger.origin() + "\"");
  if (stored.applied_commits == 0) return Status::ok();
  GL_ASSIGN_OR_RETURN(Head head, ledger.head());
  if (stored.applied_commits > head.commit_count)
    return Status::conflict(refused + "the database has applied " +
                            std::to_string(stored.applied_commits) + " commits, the log has " +
                            std::to_string(head.commit_count));
  GL_ASSIGN_OR_RETURN(CommitRecord last, ledger.commit(stored.applied_commits - 1));
  GL_ASSIGN_OR_RETURN(SinkPosition expected, position_after(ledger, last));
  if (expected.last_commit_hash != stored.last_commit_hash)
    return Status::conflict(refused + "commit " + std::to_string(stored.applied_commits - 1) +
                            " has hash " + expected.last_commit_hash +
                            ", sink_state.last_commit_hash is " + stored.last_commit_hash);
  if (expected.tree_size != stored.tree_size || expected.tree_root != stored.tree_root)
    return Status::conflict(
        refused + "the tree after commit " + std::to_string(stored.applied_commits - 1) +
        " has size " + std::to_string(expected.tree_size) + " and root " + expected.tree_root +
        ", sink_state has " + std::to_string(stored.tree_size) + " and " + stored.tree_root);
  return Status::ok();
}

}  // namespace grantledger::sink
