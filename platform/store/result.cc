#include "platform/store/result.h"

namespace kiln::store {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotFound:
      return "not found";
    case ErrorCode::kAlreadyExists:
      return "already exists";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kConstraint:
      return "constraint";
    case ErrorCode::kInvalidArgument:
      return "invalid argument";
    case ErrorCode::kSchemaTooNew:
      return "schema too new";
    case ErrorCode::kNotADatabase:
      return "not a database";
    case ErrorCode::kCorrupt:
      return "corrupt";
    case ErrorCode::kBusy:
      return "busy";
    case ErrorCode::kStorage:
      return "storage";
  }
  return "unknown";
}

std::string Error::describe() const {
  return std::string(to_string(code)) + ": " + message;
}

}  // namespace kiln::store
