// The recorded reconciliation runs verify in the audit (tools/audit/): the audit replays every
// event with the same LedgerState rules, checks every signature, hash and index, and recomputes
// the projections, so a reconciliation_recorded event is verified like any other.
#include <catch2/catch.hpp>

#include "tests/reconcile/reconcile_world.h"
#include "tools/audit/audit.h"

using namespace grantledger;
using namespace grantledger::testing;

TEST_CASE("reconciliation runs verify in the audit", "[reconcile][audit]") {
  ReconcileWorld w;
  w.close();
  auto december = reconcile::run_reconciliation(w.request(w.write_camt("december.xml", w.planted_lines())));
  REQUIRE(december.has_value());
  auto overlap = reconcile::run_reconciliation(w.request(w.write_camt("december.xml", w.planted_lines()), "2013-12-15", "2014-01-15"));
  REQUIRE(overlap.has_value());
  auto source = audit::open_ledger_source(w.dir);
  REQUIRE(source.has_value());
  auto report = audit::run_audit(**source, {});
  INFO((report ? audit::render_text(*report) : report.error().to_string()));
  REQUIRE(report.has_value());
  CHECK(report->clean());
}
