#include "dovecot_server.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace crmsync::test {

namespace fs = std::filesystem;

namespace {

std::string shellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

int readPort(const fs::path& dir) {
  std::ifstream in(dir / "port");
  int port = 0;
  if (!(in >> port)) throw std::runtime_error("no port file in " + dir.string());
  return port;
}

}  // namespace

int freeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind a loopback port");
  }
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

fs::path DovecotServer::script() { return fs::path(CRMSYNC_SOURCE_DIR) / "tests/connectors/email_imap/dovecot_fixture.sh"; }

fs::path DovecotServer::messagesDir() { return fs::path(CRMSYNC_SOURCE_DIR) / "tests/connectors/email_imap/messages"; }

DovecotServer::DovecotServer(fs::path dir, Tls tls) : dir_(std::move(dir)), tls_(tls), owned_(true) {
  std::vector<std::string> args = {"start", dir_.string(), std::to_string(freeLoopbackPort())};
  if (tls == Tls::Imaps) args.push_back("tls");
  if (tls == Tls::StartTls) args.push_back("starttls");
  run(args);
  port_ = readPort(dir_);
}

DovecotServer::DovecotServer(Shared, fs::path dir) : dir_(std::move(dir)), port_(readPort(dir_)) {}

DovecotServer::~DovecotServer() {
  if (!owned_) return;
  try {
    run({"stop", dir_.string()});
  } catch (...) {
  }
}

DovecotServer& DovecotServer::shared() {
  static std::unique_ptr<DovecotServer> server = [] {
    if (const char* dir = std::getenv("CRMSYNC_TEST_IMAP_DIR"); dir && *dir)
      return std::unique_ptr<DovecotServer>(new DovecotServer(Shared{}, dir));
    return std::make_unique<DovecotServer>(fs::temp_directory_path() /
                                           ("crmsync-imaptest-" + std::to_string(::getpid())));
  }();
  return *server;
}

std::string DovecotServer::url(const std::string& path) const {
  return std::string(tls_ == Tls::Imaps ? "imaps" : "imap") + "://127.0.0.1:" + std::to_string(port_) + "/" + path;
}

void DovecotServer::run(const std::vector<std::string>& args) const {
  std::string command = shellQuote(script().string());
  for (const auto& a : args) command += " " + shellQuote(a);
  int status = std::system(command.c_str());
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("failed: " + command);
}

void DovecotServer::createUser(const std::string& name, unsigned long uidValidity) const {
  run({"user", dir_.string(), name, std::to_string(uidValidity)});
}
void DovecotServer::deliver(const std::string& name, const fs::path& message) const {
  run({"deliver", dir_.string(), name, message.string()});
}
void DovecotServer::renumber(const std::string& name, unsigned long uidValidity) const {
  run({"renumber", dir_.string(), name, std::to_string(uidValidity)});
}
void DovecotServer::createFolder(const std::string& name, const std::string& mailbox) const {
  run({"folder", dir_.string(), name, mailbox});
}
void DovecotServer::kick(const std::string& name) const { run({"kick", dir_.string(), name}); }
void DovecotServer::halt() const { run({"halt", dir_.string()}); }
void DovecotServer::resume() const { run({"resume", dir_.string()}); }

std::vector<std::string> DovecotServer::clientCommands(const std::string& name) const {
  std::vector<fs::path> files;
  fs::path rawlog = dir_ / "rawlog" / name;
  if (fs::exists(rawlog))
    for (const auto& entry : fs::directory_iterator(rawlog))
      if (entry.path().extension() == ".in") files.push_back(entry.path());
  // Names start with the second the session began; the write time orders sessions within one second.
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    auto ta = fs::last_write_time(a), tb = fs::last_write_time(b);
    return ta != tb ? ta < tb : a < b;
  });
  std::vector<std::string> sessions;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    sessions.push_back(text.str());
  }
  return sessions;
}

}  // namespace crmsync::test
