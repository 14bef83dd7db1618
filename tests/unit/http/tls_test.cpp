// TLS verification against a loopback HTTPS server with a self-signed certificate made for the test.
#include "crmsync/http/client.hpp"

#include "unit/http/loopback_server.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

namespace crmsync::http {
namespace {

using testing::CapturedLog;

class Tls : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("crmsync_tls_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    cert_ = (dir_ / "cert.pem").string();
    std::string key = (dir_ / "key.pem").string();
    std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                          "-addext subjectAltName=IP:127.0.0.1 -keyout '" + key + "' -out '" + cert_ +
                          "' >/dev/null 2>&1";
    if (std::system(command.c_str()) != 0) GTEST_SKIP() << "the openssl command could not make a certificate";
    server_ = std::make_unique<httplib::SSLServer>(cert_.c_str(), key.c_str());
    server_->Get("/x", [](const httplib::Request&, httplib::Response& res) { res.set_content("tls", "text/plain"); });
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/x"; }
  Request get() const {
    Request r;
    r.url = url();
    return r;
  }

  std::filesystem::path dir_;
  std::string cert_;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
};

TEST_F(Tls, RefusesAnUntrustedCertificateWithoutRetrying) {
  Client client;
  auto res = client.send(get());
  ASSERT_FALSE(res.isOk());
  // 60: CURLE_PEER_FAILED_VERIFICATION.
  EXPECT_NE(res.status().message().find("curl error 60"), std::string::npos) << res.status().message();
  EXPECT_NE(res.status().message().find("1 attempt:"), std::string::npos) << res.status().message();
}

TEST_F(Tls, TrustsTheConfiguredCaBundle) {
  ClientOptions o;
  o.caBundle = cert_;
  Client client(o);
  auto res = client.send(get());
  ASSERT_TRUE(res.isOk()) << res.status().toString();
  EXPECT_EQ(res->body, "tls");
}

TEST_F(Tls, InsecureModeConnectsAndWarns) {
  CapturedLog log;
  ClientOptions o;
  o.insecure = true;
  Client client(o);
  auto res = client.send(get());
  ASSERT_TRUE(res.isOk()) << res.status().toString();
  EXPECT_NE(log.text().find("verification is off"), std::string::npos) << log.text();
}

}  // namespace
}  // namespace crmsync::http
