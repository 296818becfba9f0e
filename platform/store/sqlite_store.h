// The metadata DB on SQLite: a file in WAL mode (or ":memory:" for simulation), its schema
// brought to the latest version on open. See docs/metadata-db.md.
#pragma once

#include <memory>
#include <string>

#include "platform/store/metadata_store.h"
#include "platform/store/result.h"
#include "platform/store/sqlite.h"

namespace kiln::store {

// Opens (creating if absent) the metadata DB at `path` and migrates it to the latest schema.
// ":memory:" gives a private in-memory DB that lives as long as the store. Fails with
// kNotADatabase (not SQLite, or another application's SQLite file), kSchemaTooNew (written by
// a newer kiln), kCorrupt, kBusy or kStorage; a failed open leaves the file as it was, or one
// whole migration further.
Result<std::unique_ptr<MetadataStore>> open_sqlite_store(const std::string& path,
                                                         const DatabaseOptions& options = {});

}  // namespace kiln::store
