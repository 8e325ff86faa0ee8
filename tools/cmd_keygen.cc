// grantledger keygen --out NAME: a new Ed25519 key pair, NAME.pem (0600) and NAME.pub.pem.
#include <filesystem>
#include <iostream>

#include "ledger/bytes.h"
#include "ledger/ed25519.h"
#include "tools/commands.h"
#include "tools/output_path.h"

namespace grantledger::cli {

void add_keygen(CLI::App& app, Action* action) {
  auto* cmd = app.add_subcommand("keygen", "Generate an Ed25519 key pair as NAME.pem (mode 0600) and NAME.pub.pem");
  auto out = std::make_shared<std::string>();
  cmd->add_option("--out", *out, "file name without extension")->required();
  cmd->callback([action, out] {
    *action = [out]() -> Status {
      // Both files are checked before either is written: keygen never overwrites half a pair.
      for (const std::string& file : {*out + ".pem", *out + ".pub.pem"}) {
        GL_RETURN_IF_ERROR(check_output_path("--out", file, OutputKind::kFile));
        std::error_code ec;
        if (std::filesystem::exists(std::filesystem::symlink_status(file, ec)))
          return Status::invalid_argument("--out " + *out + ": " + file + " exists; keygen does not overwrite a key");
      }
      PrivateKey key = PrivateKey::generate();
      GL_RETURN_IF_ERROR(key.save(*out));
      std::cout << "private_key: " << *out << ".pem\n"
                << "public_key_file: " << *out << ".pub.pem\n"
                << "key_id: " << to_hex(key.key_id()) << "\n"
                << "public_key: " << to_hex(key.public_key().raw()) << "\n";
      return Status::ok();
    };
  });
}

}  // namespace grantledger::cli
