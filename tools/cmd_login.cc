// grantledger login --server URL --key KEY.pem [--tls-ca CA.pem]
// Proves possession of a registered key to a service (a signed POST /v1/login, RFC 9421) and
// prints a one-time link that signs its opener in to the web page (spec/CLI.md, "login";
// spec/WEB.md, "Signing in"). The link is valid for two minutes and once.
#include <iostream>
#include <nlohmann/json.hpp>

#include "tools/commands.h"
#include "tools/server/client.h"

namespace grantledger::cli {

void add_login(CLI::App& app, Action* action) {
  auto* cmd = app.add_subcommand("login", "Print a one-time link that signs you in to the service's web page");
  struct Opts {
    std::string server, key, tls_ca;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--server", o->server, "the service (https://HOST:PORT)")->required();
  cmd->add_option("--key", o->key, "your private key (PEM, mode 0600), registered in the log")->required();
  cmd->add_option("--tls-ca", o->tls_ca, "the CA certificate (PEM) to trust (default: the system's)");
  cmd->callback([action, o] {
    *action = [o]() -> Status {
      GL_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::load(o->key));
      GL_ASSIGN_OR_RETURN(auto client, server::Client::create({o->server, o->tls_ca}, std::make_shared<const PrivateKey>(std::move(key))));
      GL_ASSIGN_OR_RETURN(server::Response answer, client->post("/v1/login", "", "application/json"));
      GL_RETURN_IF_ERROR(answer.error());
      auto body = nlohmann::json::parse(answer.body, nullptr, false);
      if (body.is_discarded() || !body.contains("link") || !body["link"].is_string() || body["link"].get<std::string>().rfind("/ui/", 0) != 0)
        return Status::corruption("the service's answer to POST /v1/login has no sign-in link");
      std::string base = o->server;
      while (!base.empty() && base.back() == '/') base.pop_back();
      std::cout << base << body["link"].get<std::string>() << "\n";
      return Status::ok();
    };
  });
}

}  // namespace grantledger::cli
