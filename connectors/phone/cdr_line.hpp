// Splits one line of a call-detail CSV (Asterisk cdr_csv, FreeSWITCH mod_cdr_csv) into fields.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crmsync::phone {

/// Splits a CDR line: comma-separated, strings in double quotes with '"' doubled inside, numbers bare, an
/// empty unquoted field for a missing value. Both writers put one record on one line, so a quoted field does
/// not continue on the next line. Fields are views into `line` or, for a field with doubled quotes, into
/// `scratch`, which is cleared first; both must outlive the views. Returns what is wrong with the quoting
/// (and where) when the line cannot be split, std::nullopt on success.
std::optional<std::string> splitCdrLine(std::string_view line, std::vector<std::string_view>& fields,
                                        std::string& scratch);

}  // namespace crmsync::phone
