# The throwaway PostgreSQL server tests share: a CTest fixture that scripts/test-postgres.sh starts and stops.
# Included (once) by every test directory that needs it, whatever order tests/ adds them in; a test joins with
#   crmsync_gtest(... PROPERTIES FIXTURES_REQUIRED ${CRMSYNC_TEST_PG_FIXTURE}
#                                ENVIRONMENT CRMSYNC_TEST_PG_URL=${CRMSYNC_TEST_PG_URL})
include_guard(GLOBAL)

# A port derived from the build directory, so two build trees testing at once do not collide.
string(MD5 _crmsync_pg_hash "${CMAKE_BINARY_DIR}")
string(SUBSTRING "${_crmsync_pg_hash}" 0 3 _crmsync_pg_hex)
math(EXPR _crmsync_pg_port "55000 + (0x${_crmsync_pg_hex} % 1000)")
set(CRMSYNC_TEST_PG_PORT ${_crmsync_pg_port} CACHE STRING "Port of the PostgreSQL server the tests start")

set(CRMSYNC_TEST_PG_FIXTURE postgres CACHE INTERNAL "CTest fixture that runs the test PostgreSQL server")
set(CRMSYNC_TEST_PG_DIR ${CMAKE_BINARY_DIR}/pgtest CACHE INTERNAL "Data and socket directory of the test server")
set(CRMSYNC_TEST_PG_URL "postgresql://postgres@127.0.0.1:${CRMSYNC_TEST_PG_PORT}/crmsync_test"
    CACHE INTERNAL "URL of the test PostgreSQL database")
set(CRMSYNC_TEST_PG_SCRIPT ${PROJECT_SOURCE_DIR}/scripts/test-postgres.sh CACHE INTERNAL "")
