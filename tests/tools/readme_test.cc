// Every command line in README.md's code blocks runs as printed, on the README's own data, and
// exits as documented.
//
// Extraction, kept simple on purpose: a line of README.md is a command when, with its leading
// spaces removed, it starts with "build/grantledger " and it is inside a ``` fence or indented by
// at least four spaces (a Markdown code block, also inside a list item). A line ending in "\"
// continues on the next. Inline `code` in prose is not run, nor are other programs' lines
// (openssl: tests/audit/proof_bundle_test.cc; hledger). A trailing "# exit N" comment documents a
// non-zero exit code; without one the command must exit 0.
//
// The commands run in README order, each through /bin/sh (so "> file" works as printed), in one
// working directory holding what the README assumes:
// - build/grantledger: a symlink to the CLI under test;
// - demo-data/: made by `grantledger demo --data demo-data`, what tools/demo.sh runs after building;
// - the files a user brings: events.jsonl (one event for `append`), 2013-12.xml (the bank's
//   statement of the demo's live December 2013 payouts, complete, so `reconcile` finds nothing),
//   log.pub.pem (the auditor's copy of demo-data/keys/log.pub.pem, "through a separate channel").
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>

#include "ledger/date.h"
#include "ledger/money.h"
#include "tests/cli_support.h"
#include "tools/reconcile/ledger_view.h"

using namespace grantledger;
using namespace grantledger::testing;

namespace {

struct ReadmeCommand {
  int line = 0;  // 1-based, where the command starts
  std::string text;
  int exit_code = 0;
};

std::string readme_path() { return std::string(GL_TEST_DATA_DIR) + "/../../README.md"; }

std::vector<ReadmeCommand> readme_commands(const std::string& readme) {
  std::vector<ReadmeCommand> out;
  std::istringstream in(readme);
  std::string line;
  bool fenced = false;
  ReadmeCommand* open = nullptr;  // a command continued with "\"
  for (int n = 1; std::getline(in, line); ++n) {
    if (open) {
      open->text += "\n" + line;
      if (line.empty() || line.back() != '\\') open = nullptr;
      continue;
    }
    const size_t indent = line.find_first_not_of(' ');
    if (indent == std::string::npos) continue;
    if (line.compare(indent, 3, "```") == 0) {
      fenced = !fenced;
      continue;
    }
    if (!(fenced || indent >= 4) || line.compare(indent, 18, "build/grantledger ") != 0) continue;
    out.push_back({n, line.substr(indent), 0});
    if (line.back() == '\\') open = &out.back();
  }
  static const std::regex kExit(R"(#\s*exit\s+(\d+)\s*$)");
  for (ReadmeCommand& c : out) {
    std::smatch m;
    if (std::regex_search(c.text, m, kExit)) c.exit_code = std::stoi(m[1]);
  }
  return out;
}

void write(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  REQUIRE(f.good());
}

std::string xml_escaped(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : std::string(1, c);
  return out;
}

// A camt.053 statement with one booked debit per live payout dated December 2013, as the bank
// would show them: reference, amount, payee, value date.
void write_december_statement(const std::string& data, const std::string& path) {
  auto ledger = Ledger::open(data, {.read_only = true});
  REQUIRE(ledger.has_value());
  auto view = reconcile::read_ledger_view(**ledger);
  REQUIRE(view.has_value());
  const int32_t from = parse_date("2013-12-01").value(), to = parse_date("2013-12-31").value();
  std::ostringstream x;
  x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
       "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\n<BkToCstmrStmt>\n"
       "<GrpHdr><MsgId>MSG-2013-12</MsgId><CreDtTm>2014-01-01T06:00:00</CreDtTm></GrpHdr>\n"
       "<Stmt><Id>STMT-2013-12</Id>\n";
  int entries = 0;
  for (const reconcile::Disbursement& d : view->disbursements) {
    if (!d.live || d.date < from || d.date > to) continue;
    const std::string day = format_date(d.date);
    x << "<Ntry><NtryRef>E" << ++entries << "</NtryRef><Amt Ccy=\"DKK\">" << format_kroner_plain(d.amount)
      << "</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>" << day << "</Dt></BookgDt><ValDt><Dt>" << day
      << "</Dt></ValDt><NtryDtls><TxDtls><Refs><EndToEndId>" << xml_escaped(d.payment_reference)
      << "</EndToEndId></Refs><RltdPties><Cdtr><Nm>" << xml_escaped(d.payee_name)
      << "</Nm></Cdtr></RltdPties></TxDtls></NtryDtls></Ntry>\n";
  }
  x << "</Stmt>\n</BkToCstmrStmt>\n</Document>\n";
  REQUIRE(entries > 100);
  write(path, x.str());
}

}  // namespace

TEST_CASE("the README's command extraction finds commands in code blocks only", "[readme]") {
  const std::string md =
      "Prose `build/grantledger log --data x` is not run.\n"
      "\n"
      "    build/grantledger keygen --out admin   # a comment\n"
      "    hledger -f books.journal balance\n"
      "1. A list item:\n"
      "\n"
      "       build/grantledger reconcile --data d \\\n"
      "           --key k.pem\n"
      "       build/grantledger audit --data d   # exit 1\n"
      "```\n"
      "build/grantledger checkpoint --data d > cp.txt\n"
      "```\n"
      "build/grantledger outside a block\n";
  auto commands = readme_commands(md);
  REQUIRE(commands.size() == 4);
  CHECK(commands[0].text == "build/grantledger keygen --out admin   # a comment");
  CHECK(commands[0].line == 3);
  CHECK(commands[1].text == "build/grantledger reconcile --data d \\\n           --key k.pem");
  CHECK(commands[2].exit_code == 1);
  CHECK(commands[3].text == "build/grantledger checkpoint --data d > cp.txt");
  CHECK(commands[3].exit_code == 0);
}

TEST_CASE("every README command runs as printed on the README's demo data", "[readme][demo]") {
  const std::string readme = read_file(readme_path());
  REQUIRE(!readme.empty());
  auto commands = readme_commands(readme);
  // Guards the extraction itself: the README has this many examples in code blocks, or more.
  REQUIRE(commands.size() >= 20);

  TempDir tmp;
  const std::string work = tmp / "work";
  std::filesystem::create_directories(work + "/build");
  std::filesystem::create_symlink(std::filesystem::absolute(GL_CLI_PATH), work + "/build/grantledger");
  auto demo = run_cli(tmp, {"demo", "--data", work + "/demo-data"});
  INFO(demo.err);
  REQUIRE(demo.exit_code == 0);
  write(work + "/events.jsonl",
        "{\"type\":\"entity_registered\",\"effective_date\":\"2012-01-01\",\"kind\":\"region\",\"code\":\"1081\","
        "\"name\":\"Region Nordjylland\",\"population\":589755}\n");
  write_december_statement(work + "/demo-data", work + "/2013-12.xml");
  std::filesystem::copy_file(work + "/demo-data/keys/log.pub.pem", work + "/log.pub.pem");

  for (const ReadmeCommand& c : commands) {
    // A subshell, so the command's own "> file" holds and the rest of its output is captured; the
    // newline ends a trailing "# comment".
    const std::string cmd = "(cd " + shell_quote(work) + " && " + c.text + "\n) >" + shell_quote(tmp / "stdout.txt") + " 2>" +
                            shell_quote(tmp / "stderr.txt");
    int raw = std::system(cmd.c_str());
    int exit_code = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    INFO("README.md line " << c.line << ": " << c.text << "\nstderr: " << read_file(tmp / "stderr.txt"));
    CHECK(exit_code == c.exit_code);
  }
  // What the examples promise, checked on their outputs.
  CHECK(read_file(work + "/cons.json").find("\"from_checkpoint\"") != std::string::npos);
  CHECK(std::filesystem::file_size(work + "/books.journal") > 0);
  CHECK(read_file(work + "/audit.txt").find("FINDING") == std::string::npos);
}
