// The listening side that `serve` and `witness serve` share (spec/SERVER.md, "Starting and
// stopping"): --listen HOST:PORT ([::1]:PORT for IPv6; port 0 takes a free one), HTTPS with
// --tls-cert / --tls-key, or plain HTTP with --insecure-http on a loopback address only.
#pragma once

#include <memory>
#include <string>

#include "ledger/status.h"

namespace httplib {
class Server;
}

namespace grantledger::server {

struct ListenerOptions {
  std::string listen;
  std::string tls_cert, tls_key;  // PEM files
  bool insecure_http = false;
};

class HttpListener {
 public:
  // Checks the flags and makes the server (not yet bound). invalid_argument naming the flag for
  // a bad address or port, missing or unreadable TLS files, or plain HTTP on a non-loopback host.
  static Result<std::unique_ptr<HttpListener>> create(const ListenerOptions& options);
  ~HttpListener();

  httplib::Server& http() { return *http_; }
  // Binds the socket. invalid_argument if the address is in use or not this machine's.
  Status bind();
  int port() const { return port_; }
  // scheme://host:port, as clients reach it.
  std::string url() const;

 private:
  HttpListener() = default;
  std::unique_ptr<httplib::Server> http_;
  std::string listen_, host_;
  int wanted_port_ = 0, port_ = 0;
  bool https_ = false;
};

}  // namespace grantledger::server
