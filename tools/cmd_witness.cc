// grantledger witness serve --data WDIR --name NAME --key WITNESS.pem --log ORIGIN=LOG.pub.pem ...
//   --listen HOST:PORT (--tls-cert C --tls-key K | --insecure-http)
// grantledger witness vkey --name NAME --key WITNESS.pem (or WITNESS.pub.pem)
// The witness prints "vkey <verifier key>" and then "listening URL" on stdout once it accepts
// connections; SIGTERM or SIGINT stops it (requests in flight finish), exit 0.
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>

#include "tools/commands.h"
#include "tools/serve_until_signal.h"
#include "tools/server/witness_service.h"

namespace grantledger::cli {

namespace {

// ORIGIN=LOG.pub.pem or ORIGIN=VKEY (a type 0x01 verifier key, whose name may differ from the
// origin). With a PEM file, the key name is the origin, as grantledger logs sign.
Result<witness::TrustedLog> parse_log_flag(const std::string& flag) {
  const size_t eq = flag.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == flag.size())
    return Status::invalid_argument("--log " + flag + ": give ORIGIN=LOG.pub.pem (or ORIGIN=VKEY)");
  const std::string origin = flag.substr(0, eq), value = flag.substr(eq + 1);
  std::error_code ec;
  if (std::filesystem::exists(value, ec)) {
    auto key = PublicKey::load(value);
    if (!key) return Status::invalid_argument("--log " + flag + ": " + key.error().message());
    return witness::TrustedLog{origin, witness::make_verifier_key(origin, witness::kSigTypeEd25519, *key)};
  }
  auto vkey = witness::parse_verifier_key(value, {witness::kSigTypeEd25519});
  if (!vkey) return Status::invalid_argument("--log " + flag + ": no such file, and " + vkey.error().message());
  return witness::TrustedLog{origin, *vkey};
}

Status check_witness_name(const std::string& name) {
  if (name.empty() || name.find_first_of(" +\n\t") != std::string::npos || name.size() > 256)
    return Status::invalid_argument("--name " + name + ": a witness name is 1..256 bytes with no space or '+' (e.g. witness.example.dk/w1)");
  return Status::ok();
}

Result<witness::Cosigner> load_cosigner(const std::string& name, const std::string& key_path) {
  GL_RETURN_IF_ERROR(check_witness_name(name));
  auto key = PrivateKey::load(key_path);
  if (!key) return Status::invalid_argument("--key " + key_path + ": " + key.error().message());
  return witness::Cosigner{name, *key};
}

}  // namespace

void add_witness(CLI::App& app, Action* action) {
  auto* cmd = app.add_subcommand("witness", "A C2SP tlog-witness: cosign the checkpoints of logs it verifies");
  cmd->require_subcommand(1);

  struct ServeOpts {
    std::string data, name, key;
    std::vector<std::string> logs;
    server::ListenerOptions serve{"127.0.0.1:8444", "", "", false};
  };
  auto o = std::make_shared<ServeOpts>();
  auto* serve = cmd->add_subcommand("serve", "Serve the tlog-witness HTTP API (POST /add-checkpoint)");
  serve->add_option("--data", o->data, "the witness's state directory (created if missing)")->required();
  serve->add_option("--name", o->name, "the witness's key name, a schema-less URL (e.g. witness.example.dk/w1)")->required();
  serve->add_option("--key", o->key, "the witness's Ed25519 private key (grantledger keygen)")->required();
  serve->add_option("--log", o->logs, "a log it witnesses: ORIGIN=LOG.pub.pem or ORIGIN=VKEY (repeatable)")->required();
  serve->add_option("--listen", o->serve.listen, "HOST:PORT to listen on (port 0: any free port)")->capture_default_str();
  serve->add_option("--tls-cert", o->serve.tls_cert, "the witness's certificate chain (PEM)");
  serve->add_option("--tls-key", o->serve.tls_key, "the certificate's private key (PEM)");
  serve->add_flag("--insecure-http", o->serve.insecure_http, "plain HTTP, only on a loopback address (tests)");
  serve->callback([action, o] {
    *action = [o]() -> Status {
      GL_ASSIGN_OR_RETURN(witness::Cosigner cosigner, load_cosigner(o->name, o->key));
      std::vector<witness::TrustedLog> logs;
      for (const auto& flag : o->logs) {
        GL_ASSIGN_OR_RETURN(witness::TrustedLog log, parse_log_flag(flag));
        logs.push_back(std::move(log));
      }
      // The listening flags are checked before WDIR is created or locked: bad flags write nothing.
      GL_RETURN_IF_ERROR(server::HttpListener::create(o->serve).status());
      block_stop_signals();
      spdlog::set_level(spdlog::get_level() == spdlog::level::info ? spdlog::level::debug : spdlog::level::info);
      GL_ASSIGN_OR_RETURN(auto store, witness::WitnessStore::open(o->data));
      const std::string vkey = cosigner.verifier_key().to_string();
      auto w = std::make_unique<witness::Witness>(std::move(cosigner), std::move(logs), std::move(store));
      GL_ASSIGN_OR_RETURN(auto service, server::WitnessService::open(o->serve, std::move(w)));
      std::cout << "vkey " << vkey << "\n" << "listening " << service->url() << std::endl;
      Status s = serve_until_signal([&service] { return service->run(); }, [&service] { service->stop(); });
      return s;
    };
  });

  struct VkeyOpts {
    std::string name, key;
  };
  auto v = std::make_shared<VkeyOpts>();
  auto* vkey = cmd->add_subcommand("vkey", "Print the witness's verifier key NAME+KEYID+BASE64 (what logs and verifiers configure)");
  vkey->add_option("--name", v->name, "the witness's key name")->required();
  vkey->add_option("--key", v->key, "the witness's key: private (WITNESS.pem) or public (WITNESS.pub.pem)")->required();
  vkey->callback([action, v] {
    *action = [v]() -> Status {
      GL_RETURN_IF_ERROR(check_witness_name(v->name));
      auto pub = PublicKey::load(v->key);
      std::optional<PublicKey> key;
      if (pub) {
        key = *pub;
      } else {
        auto priv = PrivateKey::load(v->key);
        if (!priv) return Status::invalid_argument("--key " + v->key + ": neither a public nor a private Ed25519 key: " + priv.error().message());
        key = priv->public_key();
      }
      std::cout << witness::make_verifier_key(v->name, witness::kSigTypeCosignatureV1, *key).to_string() << "\n";
      return Status::ok();
    };
  });
}

}  // namespace grantledger::cli
