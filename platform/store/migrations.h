// The metadata DB's schema as an ordered list of migrations. PRAGMA user_version records the
// last one applied; each runs in its own transaction together with the bump of user_version, so
// a crash leaves the schema at one version or the next, never between.
#pragma once

#include <span>
#include <string_view>

#include "platform/store/result.h"
#include "platform/store/sqlite.h"

namespace kiln::store {

struct Migration {
  int version = 0;               // 1, 2, ...: the user_version after it has run
  std::string_view description;  // one line, for logs and docs
  std::string_view sql;          // a script of DDL/DML statements
};

// All migrations, in order; versions are 1..latest_schema_version() without gaps.
std::span<const Migration> schema_migrations();
int latest_schema_version();

// PRAGMA application_id of a kiln metadata DB ("KILN" in ASCII).
inline constexpr int kApplicationId = 0x4B494C4E;

// The schema version of `db` (0 for a new, empty database).
Result<int> schema_version(Database& db);

// Brings `db` to `target_version` (at most latest_schema_version()) by running each missing
// migration in its own transaction. Already there: a no-op. Fails with kSchemaTooNew if the
// database is newer than `target_version`, and with kNotADatabase if it is another
// application's SQLite database.
Status migrate(Database& db, int target_version = latest_schema_version());

}  // namespace kiln::store
