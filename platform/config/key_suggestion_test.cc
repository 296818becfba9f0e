#include "platform/config/key_suggestion.h"

#include <catch2/catch.hpp>

using kiln::config::edit_distance;
using kiln::config::suggest;

TEST_CASE("edit distance counts an adjacent transposition as one edit") {
  CHECK(edit_distance("deployVerison", "deployVersion") == 1);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("same", "same") == 0);
}

TEST_CASE("suggestions need a close match and short keys a closer one") {
  const std::vector<std::string> keys = {"kind", "name", "deployVersion", "healthSeconds"};
  CHECK(suggest("deployversion", keys) == "deployVersion");
  CHECK(suggest("helthSecond", keys) == "healthSeconds");
  CHECK(suggest("nmae", keys) == "name");
  CHECK(suggest("kid", keys) == "kind");
  CHECK_FALSE(suggest("nm", keys).has_value());
  CHECK_FALSE(suggest("schedule", keys).has_value());
  CHECK_FALSE(suggest("x", {"y"}).has_value());
}
