// A real headless Chromium (Debian's chromium and chromium-driver packages), driven through
// ChromeDriver's W3C WebDriver protocol (JSON over HTTP on loopback): navigate, run a script,
// press keys, take a screenshot, read the browser console. The ChromeDriver process is started on
// a free port for the test and killed with it.
#pragma once

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "ledger/bytes.h"
#include "tests/robustness/child_process.h"

namespace grantledger::testing {

inline constexpr const char* kChromium = "/usr/bin/chromium";
inline constexpr const char* kChromeDriver = "/usr/bin/chromedriver";

// A TCP port nothing listens on now (bound to port 0, then closed).
inline int free_port() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(s >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  REQUIRE(::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  ::close(s);
  return ntohs(a.sin_port);
}

class WebDriver {
 public:
  explicit WebDriver(const std::string& work_dir) {
    std::filesystem::create_directories(work_dir);
    REQUIRE(::access(kChromium, X_OK) == 0);      // tools/install-deps.sh --with-test-tools installs it
    REQUIRE(::access(kChromeDriver, X_OK) == 0);
    const int port = free_port();
    driver_ = std::make_unique<ChildProcess>(std::vector<std::string>{"--port=" + std::to_string(port)}, work_dir + "/chromedriver.out",
                                             work_dir + "/chromedriver.err", kChromeDriver);
    http_ = std::make_unique<httplib::Client>("127.0.0.1", port);
    http_->set_read_timeout(120, 0);
    for (int i = 0; i < 200; ++i) {
      if (auto r = http_->Get("/status"); r && r->status == 200) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    nlohmann::json caps = {
        {"capabilities",
         {{"alwaysMatch",
           {{"browserName", "chrome"},
            {"acceptInsecureCerts", true},
            {"goog:loggingPrefs", {{"browser", "ALL"}}},
            {"goog:chromeOptions",
             {{"binary", kChromium},
              {"args", {"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1400", "--lang=da-DK",
                        "--user-data-dir=" + work_dir + "/chromium-profile"}}}}}}}}};
    auto created = call("POST", "/session", caps);
    session_ = created["value"]["sessionId"].get<std::string>();
  }
  ~WebDriver() {
    if (!session_.empty()) http_->Delete(("/session/" + session_).c_str());
    driver_.reset();  // SIGKILL and reap
  }

  void navigate(const std::string& url) { call("POST", path("/url"), {{"url", url}}); }
  std::string current_url() { return call("GET", path("/url"))["value"].get<std::string>(); }
  // Runs `script` (a function body; `return` its answer) in the page.
  nlohmann::json execute(const std::string& script) {
    return call("POST", path("/execute/sync"), {{"script", script}, {"args", nlohmann::json::array()}})["value"];
  }
  // Presses keys (WebDriver key codes, e.g. "\uE004" for Tab) in the focused element.
  void press(const std::vector<std::string>& keys) {
    nlohmann::json actions = nlohmann::json::array();
    for (const auto& k : keys) {
      actions.push_back({{"type", "keyDown"}, {"value", k}});
      actions.push_back({{"type", "keyUp"}, {"value", k}});
    }
    call("POST", path("/actions"), {{"actions", {{{"type", "key"}, {"id", "keyboard"}, {"actions", actions}}}}});
  }
  void screenshot(const std::string& file) {
    auto png = from_base64(call("GET", path("/screenshot"))["value"].get<std::string>());
    REQUIRE(png);
    std::ofstream(file, std::ios::binary) << *png;
  }
  // The console messages since the last call (each {"level", "message", ...}).
  nlohmann::json console() { return call("POST", path("/se/log"), {{"type", "browser"}})["value"]; }

 private:
  std::string path(const std::string& tail) const { return "/session/" + session_ + tail; }
  nlohmann::json call(const std::string& method, const std::string& target, const nlohmann::json& body = nullptr) {
    httplib::Result r = method == "GET" ? http_->Get(target.c_str())
                                        : http_->Post(target.c_str(), body.is_null() ? "{}" : body.dump(), "application/json");
    INFO(method << " " << target << ": " << (r ? r->body : httplib::to_string(r.error())));
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return nlohmann::json::parse(r->body);
  }
  std::unique_ptr<ChildProcess> driver_;
  std::unique_ptr<httplib::Client> http_;
  std::string session_;
};

}  // namespace grantledger::testing
