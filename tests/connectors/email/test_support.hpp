// Helpers shared by the email connector tests: temporary folders, mailboxes written by Python's mailbox
// module, base64 for encoded words, and running the plugin through FakeHost.
#pragma once

#include <crmsync/plugin_abi.h>
#include <crmsync/sdk/fake_host.hpp>

#include "test_support/temp_dir.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

extern "C" const crmsync_plugin_descriptor* crmsync_plugin_entry(uint16_t host_abi_major, uint16_t host_abi_minor);

namespace crmsync::email::testing {

/// A fresh folder, removed with its content when the object goes out of scope.
using TempDir = crmsync::test::TempDir;

void writeFile(const std::string& path, std::string_view bytes);
void appendFile(const std::string& path, std::string_view bytes);
std::string readFile(const std::string& path);

/// Appends the messages to an mbox with Python's mailbox.mbox (created when missing); fromLine, when not empty,
/// is what follows "From " on their separator lines.
void pythonMbox(const std::string& mbox, const std::vector<std::string>& messages, const std::string& fromLine = "");
/// Delivers the messages to a Maildir's new/ with Python's mailbox.Maildir (created when missing).
void pythonMaildir(const std::string& dir, const std::vector<std::string>& messages);

/// A simple message: From, To, Subject, Date, optional Message-ID (empty: none) and a text/plain body.
std::string simpleMessage(const std::string& from, const std::string& to, const std::string& subject,
                          const std::string& messageId, const std::string& body,
                          const std::string& date = "Tue, 11 Mar 2025 09:31:25 +0800");

std::string base64(std::string_view bytes);
/// UTF-8 text re-encoded in another charset through iconv (GB2312, GB18030, ...).
std::string encodeAs(std::string_view utf8, const char* charset);

/// Runs the plugin once through its C descriptor, as the engine would.
sdk::FakeHost::Result run(sdk::FakeHost& host, const std::map<std::string, std::string>& config);
std::string jsonList(const std::vector<std::string>& items);

std::vector<const sdk::EmittedRecord*> recordsOf(const sdk::FakeHost& host, const std::string& entity);
const sdk::EmittedRecord* recordWithKey(const sdk::FakeHost& host, const std::string& key);

}  // namespace crmsync::email::testing
