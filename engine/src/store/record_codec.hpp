// How a canonical record is represented in the store: its content hash, its payload JSON, and which of its
// fields are customer columns.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "crmsync/core/record.hpp"

namespace crmsync::store {

/// The customer columns filled from fields of the same name, in table order.
inline constexpr std::array<std::string_view, 18> kCustomerFieldColumns = {
    "kind",    "name", "given_name", "family_name", "company",    "title",     "email",        "phone", "mobile",
    "address", "city", "region",     "country",     "postcode",   "birth_date", "lifecycle", "intent_level", "tags",
};

/// Index of a customer column in kCustomerFieldColumns, or -1 when the field is not a customer column.
int customerColumnIndex(std::string_view fieldName);

/// XXH3-64 of the entity and every field (name and value, null distinct from empty), independent of field
/// order, as 16 lowercase hex digits. Equal hashes mean nothing the store keeps from the fields changed.
std::string recordHash(const Record& record);

/// The fields as a JSON object {"name": "value" | null} in the record's field order (the last of repeated names
/// wins). Strings are escaped as nlohmann::json escapes them; invalid UTF-8 is replaced by U+FFFD.
std::string payloadJson(const Record& record);

/// The quality flags as a JSON array of strings.
std::string qualityFlagsJson(const Record& record);

}  // namespace crmsync::store
