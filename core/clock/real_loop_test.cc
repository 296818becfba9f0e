#include "core/clock/real_loop.h"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <string>

using kiln::core::RealLoop;

TEST_CASE("real loop runs callbacks in time order on the io_context") {
  boost::asio::io_context io;
  RealLoop loop(io);
  std::string order;
  const auto start = loop.now_ms();
  loop.schedule_after(30, [&] { order += 'b'; });
  loop.schedule_after(0, [&] { order += 'a'; });
  auto cancelled = loop.schedule_after(10, [&] { order += 'x'; });
  CHECK(loop.cancel(cancelled));
  io.run();
  CHECK(order == "ab");
  CHECK(loop.now_ms() >= start + 30);
}
