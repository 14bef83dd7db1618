// The loopback Dovecot server of the IMAP tests and benchmark, driven through dovecot_fixture.sh.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace crmsync::test {

/// A Dovecot instance: either the CTest fixture's (CRMSYNC_TEST_IMAP_DIR set, shared by every test, stopped by
/// the fixture) or one this object starts on a free loopback port and stops when destroyed.
class DovecotServer {
 public:
  enum class Tls { None, Imaps, StartTls };
  /// Starts a private server in dir (removed first). Imaps: IMAPS only; StartTls: IMAP offering STARTTLS; the
  /// certificate's CA is caBundle().
  DovecotServer(std::filesystem::path dir, Tls tls = Tls::None);
  ~DovecotServer();
  DovecotServer(const DovecotServer&) = delete;
  DovecotServer& operator=(const DovecotServer&) = delete;

  /// The CTest fixture's server when the test runs under it, else one started on first use for the process.
  static DovecotServer& shared();

  int port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path caBundle() const { return dir_ / "ca.pem"; }
  /// imap://127.0.0.1:port/path (or imaps://).
  std::string url(const std::string& path = "INBOX") const;

  /// A fresh user holding the fixture messages (UIDs 1..6, UIDVALIDITY uidValidity); password "secret".
  void createUser(const std::string& name, unsigned long uidValidity = 424242) const;
  void deliver(const std::string& name, const std::filesystem::path& message) const;
  void renumber(const std::string& name, unsigned long uidValidity) const;
  void createFolder(const std::string& name, const std::string& mailbox) const;
  void kick(const std::string& name) const;
  void halt() const;
  void resume() const;

  std::filesystem::path maildir(const std::string& name) const { return dir_ / "mail" / name / "Maildir"; }
  /// What the client sent in each of the user's sessions so far (Dovecot's rawlog *.in files), oldest first.
  std::vector<std::string> clientCommands(const std::string& name) const;

  static std::filesystem::path script();
  static std::filesystem::path messagesDir();

 private:
  struct Shared {};
  DovecotServer(Shared, std::filesystem::path dir);
  void run(const std::vector<std::string>& args) const;

  std::filesystem::path dir_;
  int port_ = 0;
  Tls tls_ = Tls::None;
  bool owned_ = false;
};

/// A TCP port on 127.0.0.1 nobody listens on at the moment of the call.
int freeLoopbackPort();

}  // namespace crmsync::test
