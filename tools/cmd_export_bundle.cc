// grantledger export-bundle --data DIR --out DIR: an audit bundle (spec/AUDIT.md, "Bundle").
#include <iostream>

#include "tools/audit/bundle.h"
#include "tools/commands.h"
#include "tools/query_target.h"
#include "tools/server/client.h"
#include "tools/server/tar_archive.h"

#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include "tools/output_path.h"

namespace grantledger::cli {

void add_export_bundle(CLI::App& app, Action* action) {
  auto* cmd = app.add_subcommand("export-bundle", "Write an audit bundle: events, commits, checkpoints, public keys");
  struct Opts {
    std::string out;
  };
  auto o = std::make_shared<Opts>();
  static const QueryEnv cli_env;
  auto target = QueryTarget::add(cmd, &cli_env);
  cmd->add_option("--out", o->out, "the bundle directory to create (absent or empty)")->required();
  cmd->callback([action, o, target] {
    *action = [o, target]() -> Status {
      GL_RETURN_IF_ERROR(target->check());
      GL_RETURN_IF_ERROR(check_output_path("--out", o->out, OutputKind::kDirectory));
      audit::BundleInfo info;
      if (target->remote()) {
        // The service's snapshot as an archive, unpacked here (spec/SERVER.md, "GET /v1/bundle").
        if (std::filesystem::exists(o->out) && !std::filesystem::is_empty(o->out))
          return Status::invalid_argument("--out " + o->out + ": exists and is not empty");
        GL_ASSIGN_OR_RETURN(server::Response r, target->get("/v1/bundle"));
        GL_RETURN_IF_ERROR(r.error());
        std::error_code ec;
        std::filesystem::create_directories(o->out, ec);
        if (ec) return Status::io_error("--out " + o->out + ": " + ec.message());
        GL_RETURN_IF_ERROR(server::unpack_archive(r.body, o->out));
        std::sscanf(r.bundle_counts.c_str(), "events=%" SCNu64 ";commits=%" SCNu64 ";checkpoints=%" SCNu64 ";keys=%" SCNu64,
                    &info.events, &info.commits, &info.checkpoints, &info.keys);
      } else {
        GL_ASSIGN_OR_RETURN(auto ledger, target->open(false));
        GL_ASSIGN_OR_RETURN(info, audit::export_bundle(*ledger, o->out));
      }
      std::cout << "bundle=" << o->out << " events=" << info.events << " commits=" << info.commits
                << " checkpoints=" << info.checkpoints << " keys=" << info.keys << "\n";
      return Status::ok();
    };
  });
}

}  // namespace grantledger::cli
