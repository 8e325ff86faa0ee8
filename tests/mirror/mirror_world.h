// A served demo ledger (tests/server/serve_world.h) and verifying mirrors of it: the real CLI's
// `grantledger mirror`, and `serve` processes over other data directories (a mirror's copy, an
// earlier copy of the source re-grown differently).
#pragma once

#include <filesystem>
#include <fstream>

#include "tests/server/serve_world.h"

namespace grantledger::testing {

struct MirrorWorld {
  ServeWorld w;
  std::string keys = w.dir + "/keys";
  std::string log_pub = keys + "/log.pub.pem";

  // `grantledger mirror` from the served ledger into `data`, signing with `key_name`'s key.
  CliResult mirror(const std::string& data, const std::vector<std::string>& extra = {},
                   const std::string& key_name = "admin") const {
    std::vector<std::string> args = {"mirror", "--from", w.url, "--key", keys + "/" + key_name + ".pem", "--log-key",
                                     log_pub, "--tls-ca", w.cert, "--data", data};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(w.tmp, args);
  }

  // One course payment by Lemvig's employer side (665) at easv, as a JSON line (spec/JSON.md).
  static std::string payment_jsonl(const std::string& id, int64_t amount_ore) {
    return R"({"type":"course_payment_recorded","effective_date":"2013-01-05","payment_id":")" + id +
           R"(","employer_code":"665","provider_code":"easv","participant":"deltager-)" + id +
           R"(","course_kind":"akademi","module":"modul 1","course_start_date":"2013-01-10","payment_date":"2013-01-05","amount_ore":)" +
           std::to_string(amount_ore) + "}\n";
  }

  // Appends one such payment to the served ledger, signed by Lemvig's finance officer.
  void submit_payment(const std::string& id) const {
    std::ofstream(w.tmp / (id + ".jsonl"), std::ios::binary) << payment_jsonl(id, 1250000);
    auto sent = w.remote({"append", "--input", w.tmp / (id + ".jsonl"), "--idempotency-key", id}, "finance-665");
    INFO(sent.err);
    REQUIRE(sent.exit_code == 0);
  }

  // The same queries against two data directories: equal output and exit 0.
  void check_same_figures(const std::string& a, const std::string& b) const {
    for (const std::vector<std::string>& q :
         std::vector<std::vector<std::string>>{{"balance", "--by", "region"},
                                               {"balance", "--by", "programme", "--as-of", "2013-06-30"},
                                               {"export", "--format", "csv"},
                                               {"export", "--format", "ledger"},
                                               {"claims", "--format", "json"},
                                               {"projections", "status"},
                                               {"log", "--format", "json"},
                                               {"checkpoint"}}) {
      std::string line;
      for (const auto& s : q) line += s + " ";
      INFO(line);
      std::vector<std::string> qa = q, qb = q;
      qa.insert(qa.end(), {"--data", a});
      qb.insert(qb.end(), {"--data", b});
      auto ra = run_cli(w.tmp, qa), rb = run_cli(w.tmp, qb);
      INFO(ra.err << rb.err);
      CHECK(ra.exit_code == 0);
      CHECK(rb.exit_code == 0);
      CHECK(ra.out == rb.out);
    }
  }

  // The audit of `data`: clean, and its lines naming projection digests.
  std::vector<std::string> audit_digests(const std::string& data) const {
    auto audit = run_cli(w.tmp, {"audit", "--data", data});
    INFO(audit.out << audit.err);
    CHECK(audit.exit_code == 0);
    std::vector<std::string> out;
    std::istringstream lines(audit.out);
    for (std::string l; std::getline(lines, l);)
      if (l.rfind("projection ", 0) == 0) out.push_back(l);
    CHECK(out.size() >= 7);
    return out;
  }
};

}  // namespace grantledger::testing
