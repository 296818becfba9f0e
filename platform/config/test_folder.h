// Test helper: a directory tree of small files in a fresh temporary directory, removed at the end.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace kiln::config::testing {

class TestTree {
 public:
  explicit TestTree(std::initializer_list<std::pair<std::string, std::string>> files) {
    std::string pattern = (std::filesystem::temp_directory_path() / "kiln-config-XXXXXX").string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (mkdtemp(buffer.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    root_ = buffer.data();
    for (const auto& [path, text] : files) write(path, text);
  }
  ~TestTree() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  TestTree(const TestTree&) = delete;
  TestTree& operator=(const TestTree&) = delete;

  void write(const std::string& path, const std::string& text) const {
    const std::filesystem::path full = root_ / path;
    std::filesystem::create_directories(full.parent_path());
    std::ofstream(full, std::ios::binary) << text;
  }
  const std::filesystem::path& root() const { return root_; }
  // How diagnostics name a file of this tree.
  std::string file(const std::string& relative) const {
    return (root_ / relative).lexically_normal().generic_string();
  }

 private:
  std::filesystem::path root_;
};

// A config for job `name` in `target`, with the given settings block (indented by two spaces).
inline std::string job_yaml(const std::string& name, const std::string& target,
                            const std::string& settings) {
  return "kind: Job\nname: " + name + "\ntarget: " + target + "\ndeployVersion: 1\nsettings:\n" +
         settings;
}

}  // namespace kiln::config::testing
