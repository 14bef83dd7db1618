// Creating a new SQLite database file whole, schema included, or not at all.
#pragma once

#include <functional>

#include "store/database_url.hpp"

namespace soci {
class session;
}

namespace crmsync::store {

/// When target.path names no file yet, builds the database there: configure() and every migration run on a
/// temporary file next to it with syncs off, the file is synced once and moved into place (renamed without
/// replacing, or hard-linked where the file system cannot).
///
/// Built in place, a new file costs SQLite four syncs before it holds anything (the rollback journal that
/// switches it to WAL, the directory, the journal again, the file), and a crash between the switch and the
/// first migration's commit leaves a database without its schema. This way costs two syncs (the file, the
/// directory), and other processes see the whole database or no file.
///
/// Does nothing when the file exists or the path is not a plain file name (":memory:", "file:" URIs). When
/// something fails here (a file system that can do neither, say), it removes its temporary files and returns:
/// the ordinary open then creates the file and reports any error itself.
void createSqliteIfMissing(const DatabaseTarget& target, const std::function<void(soci::session&)>& configure);

}  // namespace crmsync::store
