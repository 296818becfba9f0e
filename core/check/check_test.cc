#include "core/check/check.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <string>

namespace kiln::core {
namespace {

// Runs `fn` in a child process; returns its stderr and whether it died of SIGABRT.
template <class F>
std::pair<std::string, bool> in_child(F fn) {
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(pipe_fds[1], 2);
    fn();
    std::_Exit(0);
  }
  close(pipe_fds[1]);
  std::string out;
  char buf[512];
  for (ssize_t n; (n = read(pipe_fds[0], buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<std::size_t>(n));
  close(pipe_fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return {out, WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT};
}

TEST_CASE("a check that holds does nothing; its message is not even built") {
  int built = 0;
  auto what = [&built] {
    ++built;
    return std::string("never");
  };
  KILN_CHECK(1 + 1 == 2, what());
  CHECK(built == 0);
}

TEST_CASE("a broken invariant aborts, in every build, naming where and what broke") {
  const auto [err, aborted] = in_child([] {
    const int version = 3;
    KILN_CHECK(version == 4, "workflow 7 stepped twice at version " + std::to_string(version));
  });
  CHECK(aborted);
  CHECK(err.find("kiln: invariant broken at ") != std::string::npos);
  CHECK(err.find("check_test.cc:") != std::string::npos);
  CHECK(err.find("version == 4: workflow 7 stepped twice at version 3") != std::string::npos);
}

}  // namespace
}  // namespace kiln::core
