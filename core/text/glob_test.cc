#include "core/text/glob.h"

#include <catch2/catch.hpp>

using kiln::core::glob_match;

TEST_CASE("glob stars match any run and question marks one character") {
  CHECK(glob_match("*", ""));
  CHECK(glob_match("POST /api/2.*/jobs/run-now", "POST /api/2.2/jobs/run-now"));
  CHECK_FALSE(glob_match("POST /api/2.*/jobs/run-now", "GET /api/2.2/jobs/run-now"));
  CHECK(glob_match("etl-??", "etl-01"));
  CHECK_FALSE(glob_match("etl-??", "etl-1"));
  CHECK(glob_match("*stream*.py", "/Repos/x/stream_orders.py"));
  CHECK_FALSE(glob_match("a*b", "a-c"));
  CHECK(glob_match("a*b*c", "axxbyyc"));
}
