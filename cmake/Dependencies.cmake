# Every dependency comes from a Debian 12 package (scripts/setup.sh installs them).
find_package(Threads REQUIRED)
find_package(GTest REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS filesystem)
find_package(yaml-cpp REQUIRED)
find_package(CURL REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(ICU REQUIRED COMPONENTS uc i18n data)
find_package(pugixml REQUIRED)
find_package(CLI11 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PostgreSQL REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(MINIZIP REQUIRED IMPORTED_TARGET minizip)

# Packages that ship no CMake config: imported targets by hand.
function(crmsync_import_library target library header)
  find_library(${target}_LIBRARY NAMES ${library} REQUIRED)
  find_path(${target}_INCLUDE_DIR NAMES ${header} REQUIRED)
  add_library(${target} UNKNOWN IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES IMPORTED_LOCATION "${${target}_LIBRARY}"
                                             INTERFACE_INCLUDE_DIRECTORIES "${${target}_INCLUDE_DIR}")
endfunction()

crmsync_import_library(crmsync::phonenumber phonenumber phonenumbers/phonenumberutil.h)
crmsync_import_library(crmsync::xxhash xxhash xxhash.h)
crmsync_import_library(crmsync::soci_core soci_core soci/soci.h)
crmsync_import_library(crmsync::soci_sqlite3 soci_sqlite3 soci/sqlite3/soci-sqlite3.h)
crmsync_import_library(crmsync::soci_postgresql soci_postgresql soci/postgresql/soci-postgresql.h)
set_property(TARGET crmsync::soci_sqlite3 PROPERTY INTERFACE_LINK_LIBRARIES crmsync::soci_core SQLite::SQLite3)
set_property(TARGET crmsync::soci_postgresql PROPERTY INTERFACE_LINK_LIBRARIES crmsync::soci_core PostgreSQL::PostgreSQL)
set_property(TARGET crmsync::soci_core PROPERTY INTERFACE_LINK_LIBRARIES ${CMAKE_DL_LIBS} Threads::Threads)

find_path(CRMSYNC_HTTPLIB_INCLUDE_DIR NAMES httplib.h REQUIRED)
# Tests that run a loopback HTTP server link Debian's compiled cpp-httplib; its .pc file carries the defines
# (OpenSSL, zlib, Brotli support) without which the header and the library disagree on what they contain.
pkg_check_modules(CRMSYNC_HTTPLIB REQUIRED IMPORTED_TARGET GLOBAL cpp-httplib)

# Tests and fixtures use Python modules from Debian packages (openpyxl, yaml, jsonschema): take Debian's
# interpreter, not whichever python3 comes first on PATH (pyenv, a venv).
if(EXISTS /usr/bin/python3)
  set(Python3_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "Python 3 with Debian's modules")
endif()
find_package(Python3 REQUIRED COMPONENTS Interpreter)
