// grantledger demo [--data DIR]: the README's main job.
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "ledger/jsonl_input.h"
#include "ledger/ledger.h"
#include "tools/commands.h"
#include "tools/ledger_setup.h"
#include "tools/log_format.h"
#include "tools/reference_data.h"

namespace grantledger::cli {

namespace {

// The reference entities as JSON-lines events: regions first (municipalities name them).
std::vector<std::string> reference_entity_events() {
  std::vector<std::string> lines;
  auto add = [&](nlohmann::json j) { lines.push_back(j.dump()); };
  for (const auto& r : csv_rows(regions_csv()))
    add({{"type", "entity_registered"}, {"effective_date", "2012-01-01"}, {"kind", "region"},
         {"code", r[0]}, {"name", r[1]}, {"population", std::stoll(r[2])}});
  for (const auto& r : csv_rows(municipalities_csv()))
    add({{"type", "entity_registered"}, {"effective_date", "2012-01-01"}, {"kind", "municipality"},
         {"code", r[0]}, {"name", r[1] + " Kommune"}, {"parent_code", r[2]}, {"population", std::stoll(r[4])}});
  for (const auto& r : csv_rows(state_institutions_csv()))
    add({{"type", "entity_registered"}, {"effective_date", "2012-01-01"}, {"kind", "state_institution"},
         {"code", r[0]}, {"name", r[1]}});
  for (const auto& r : csv_rows(providers_csv()))
    add({{"type", "entity_registered"}, {"effective_date", "2012-01-01"}, {"kind", "provider"},
         {"code", r[0]}, {"name", r[1]}});
  return lines;
}

}  // namespace

void add_demo(CLI::App& app, Action* action) {
  auto* cmd = app.add_subcommand("demo", "Record the demo scenario through the signed append path and print the result");
  auto data = std::make_shared<std::string>("demo-data");
  cmd->add_option("--data", *data, "data directory (created on first run)")->capture_default_str();
  cmd->callback([action, data] {
    *action = [data]() -> Status {
      std::string admin_key = *data + "/keys/admin.pem";
      if (!std::filesystem::exists(*data)) {
        GL_ASSIGN_OR_RETURN(InitResult r, init_ledger(*data, "", "demo admin", "grantledger.local/demo"));
        admin_key = r.admin_key_path;
      }
      GL_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::load(admin_key));
      auto signer = std::make_shared<const PrivateKey>(std::move(key));
      CommitRequest entities;
      entities.signer = signer;
      entities.idempotency_key = "demo/reference-entities";
      for (const std::string& line : reference_entity_events()) {
        GL_ASSIGN_OR_RETURN(Bytes bytes, event_bytes_from_json_line(line));
        entities.events.push_back(std::move(bytes));
      }
      GL_ASSIGN_OR_RETURN(auto ledger, Ledger::open(*data));
      GL_ASSIGN_OR_RETURN(auto infos, ledger->append({std::move(entities)}));
      GL_RETURN_IF_ERROR(print_log(*ledger, 0, 100, false, std::cout));
      std::cout << "\nsigned checkpoint:\n";
      GL_ASSIGN_OR_RETURN(std::string note, ledger->checkpoint());
      std::cout << note;
      return Status::ok();
    };
  });
}

}  // namespace grantledger::cli
