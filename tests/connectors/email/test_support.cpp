#include "test_support.hpp"

#include <glib.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace crmsync::email::testing {
namespace fs = std::filesystem;

void writeFile(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

void appendFile(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot append to " + path);
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

void runPython(const std::string& kind, const std::string& target, const std::vector<std::string>& messages,
               const std::string& fromLine) {
  TempDir staging;
  std::string cmd = quote(CRMSYNC_EMAIL_PYTHON) + " " + quote(CRMSYNC_EMAIL_TEST_DIR "/write_mailbox.py") + " " +
                    kind + " " + quote(target);
  if (!fromLine.empty()) cmd += " --from-line " + quote(fromLine);
  for (size_t i = 0; i < messages.size(); ++i) cmd += " " + quote(staging.write("m" + std::to_string(i), messages[i]));
  int rc = std::system(cmd.c_str());
  if (rc != 0) throw std::runtime_error("python mailbox writer failed: " + cmd);
}

}  // namespace

void pythonMbox(const std::string& mbox, const std::vector<std::string>& messages, const std::string& fromLine) {
  runPython("mbox", mbox, messages, fromLine);
}

void pythonMaildir(const std::string& dir, const std::vector<std::string>& messages) {
  runPython("maildir", dir, messages, "");
}

std::string simpleMessage(const std::string& from, const std::string& to, const std::string& subject,
                          const std::string& messageId, const std::string& body, const std::string& date) {
  std::string m = "From: " + from + "\nTo: " + to + "\nSubject: " + subject + "\nDate: " + date + "\n";
  if (!messageId.empty()) m += "Message-ID: <" + messageId + ">\n";
  m += "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + body + "\n";
  return m;
}

std::string base64(std::string_view bytes) {
  gchar* s = g_base64_encode(reinterpret_cast<const guchar*>(bytes.data()), bytes.size());
  std::string out(s);
  g_free(s);
  return out;
}

std::string encodeAs(std::string_view utf8, const char* charset) {
  gsize written = 0;
  GError* error = nullptr;
  gchar* out = g_convert(utf8.data(), static_cast<gssize>(utf8.size()), charset, "UTF-8", nullptr, &written, &error);
  if (!out) {
    std::string msg = error ? error->message : "conversion failed";
    g_clear_error(&error);
    throw std::runtime_error(msg);
  }
  std::string s(out, written);
  g_free(out);
  return s;
}

sdk::FakeHost::Result run(sdk::FakeHost& host, const std::map<std::string, std::string>& config) {
  return host.runSource(crmsync_plugin_entry, config);
}

std::string jsonList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ",\"" : "\"") + items[i] + "\"";
  return out + "]";
}

std::vector<const sdk::EmittedRecord*> recordsOf(const sdk::FakeHost& host, const std::string& entity) {
  std::vector<const sdk::EmittedRecord*> out;
  for (const auto& r : host.records()) {
    if (r.entity == entity) out.push_back(&r);
  }
  return out;
}

const sdk::EmittedRecord* recordWithKey(const sdk::FakeHost& host, const std::string& key) {
  for (const auto& r : host.records()) {
    if (r.sourceKey == key) return &r;
  }
  return nullptr;
}

}  // namespace crmsync::email::testing
