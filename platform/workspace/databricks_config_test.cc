#include "platform/workspace/databricks_config.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

namespace kiln::workspace {
namespace {

namespace fs = std::filesystem;

// A throwaway home directory, optionally with a ~/.databrickscfg.
class Home {
 public:
  explicit Home(const std::string& databrickscfg = "") {
    static int counter = 0;
    dir_ = fs::temp_directory_path() /
           ("kiln-home-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    fs::create_directories(dir_);
    if (!databrickscfg.empty()) write(".databrickscfg", databrickscfg);
  }
  ~Home() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  Home(const Home&) = delete;
  Home& operator=(const Home&) = delete;
  std::string path() const { return dir_.string(); }
  std::string cfg() const { return (dir_ / ".databrickscfg").string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }

 private:
  fs::path dir_;
};

const char* const kCfg = R"([DEFAULT]
host = https://default.cloud.databricks.com/
token = dapi-default

; a comment
[dev]
host=dev.cloud.databricks.com
token = dapi-dev
cluster_id = 0123-abc

[half]
host = half.example.com
)";

DatabricksConfig ok(const ConfigResult& r) {
  if (!r.ok()) FAIL(r.error);
  return *r.config;
}

TEST_CASE("Flags win over the environment and the environment over the profile", "[config]") {
  const Home home(kCfg);
  const Environment env{{"DATABRICKS_HOST", "env.example.com"}, {"DATABRICKS_TOKEN", "dapi-env"}};
  auto c = ok(resolve_databricks_config({"https://flag.example.com", "dapi-flag", {}, {}, {}}, env,
                                        home.path()));
  CHECK(c.host == "https://flag.example.com");
  CHECK(c.token == "dapi-flag");
  CHECK(c.host_source == "--host");
  CHECK(c.config_file.empty());  // not needed

  c = ok(resolve_databricks_config({}, env, home.path()));
  CHECK(c.host == "https://env.example.com");
  CHECK(c.token == "dapi-env");
  CHECK(c.token_source == "DATABRICKS_TOKEN");

  c = ok(resolve_databricks_config({{}, "dapi-flag", {}, {}, {}}, {}, home.path()));
  CHECK(c.host == "https://default.cloud.databricks.com");
  CHECK(c.host_source == "profile 'DEFAULT' in " + home.cfg());
  CHECK(c.token == "dapi-flag");
}

TEST_CASE("A profile comes from --profile or DATABRICKS_CONFIG_PROFILE", "[config]") {
  const Home home(kCfg);
  auto c = ok(resolve_databricks_config({{}, {}, "dev", {}, {}}, {}, home.path()));
  CHECK(c.host == "https://dev.cloud.databricks.com");
  CHECK(c.token == "dapi-dev");
  CHECK(c.profile == "dev");

  c = ok(resolve_databricks_config({}, {{"DATABRICKS_CONFIG_PROFILE", "dev"}}, home.path()));
  CHECK(c.token == "dapi-dev");
  // The flag wins over the variable; the environment's host still wins over the profile's.
  c = ok(resolve_databricks_config(
      {{}, {}, "DEFAULT", {}, {}},
      {{"DATABRICKS_CONFIG_PROFILE", "dev"}, {"DATABRICKS_HOST", "https://env.example.com"}},
      home.path()));
  CHECK(c.token == "dapi-default");
  CHECK(c.host == "https://env.example.com");
}

TEST_CASE("The config file comes from --config-file or DATABRICKS_CONFIG_FILE", "[config]") {
  const Home home;
  const auto other = home.write("other.cfg", "[ci]\nhost = ci.example.com\ntoken = dapi-ci\n");
  auto c = ok(resolve_databricks_config({{}, {}, "ci", other, {}}, {}, home.path()));
  CHECK(c.token == "dapi-ci");
  CHECK(c.config_file == other);
  c = ok(resolve_databricks_config({{}, {}, "ci", {}, {}}, {{"DATABRICKS_CONFIG_FILE", other}},
                                   home.path()));
  CHECK(c.host == "https://ci.example.com");
}

TEST_CASE("The token may come from a file, named by --token-file or DATABRICKS_TOKEN_FILE",
          "[config]") {
  const Home home;
  const auto file = home.write("token", "dapi-from-file\n");
  ConfigFlags flags;
  flags.host = "h";
  flags.token_file = file;
  auto r = resolve_databricks_config(flags, {{"DATABRICKS_TOKEN", "env"}}, home.path());
  REQUIRE(r.ok());
  CHECK(r.config->token == "dapi-from-file");
  CHECK(r.config->token_source == "--token-file " + file);

  // The environment's token wins over its token file, as the flags' order says.
  r = resolve_databricks_config({"h", {}, {}, {}, {}},
                                {{"DATABRICKS_TOKEN_FILE", file}, {"DATABRICKS_TOKEN", "env"}},
                                home.path());
  REQUIRE(r.ok());
  CHECK(r.config->token == "env");
  r = resolve_databricks_config({"h", {}, {}, {}, {}}, {{"DATABRICKS_TOKEN_FILE", file}},
                                home.path());
  REQUIRE(r.ok());
  CHECK(r.config->token == "dapi-from-file");
  CHECK(r.config->token_source == "DATABRICKS_TOKEN_FILE " + file);

  flags.token_file = home.path() + "/none";
  r = resolve_databricks_config(flags, {}, home.path());
  CHECK(r.error == "cannot read the token file " + home.path() + "/none (--token-file)");
  flags.token_file = home.write("blank", " \n");
  r = resolve_databricks_config(flags, {}, home.path());
  CHECK(r.error == "the token file " + home.path() + "/blank (--token-file) is empty");
  flags.token = "t";
  r = resolve_databricks_config(flags, {}, home.path());
  CHECK(r.error == "both --token and --token-file: give one");
}

TEST_CASE("A host with credentials in it is refused without repeating them", "[config]") {
  const Home home("[DEFAULT]\nhost = https://me:s3cret@adb-1.net\ntoken = t\n");
  for (const ConfigFlags& flags :
       {ConfigFlags{"http://user:s3cret@127.0.0.1:8080", "t", {}, {}, {}},
        ConfigFlags{"s3cret@adb-1.net", "t", {}, {}, {}}, ConfigFlags{}}) {
    const auto r = resolve_databricks_config(flags, {}, home.path());
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error, Catch::StartsWith(kCredentialsInHost));
    CHECK_THAT(r.error, !Catch::Contains("s3cret"));
  }
  const auto r = resolve_databricks_config({}, {{"DATABRICKS_HOST", "https://u:p@h"}}, home.path());
  CHECK(r.error == std::string(kCredentialsInHost) + " (the host from DATABRICKS_HOST)");
  CHECK_FALSE(has_credentials("https://adb-1.net/?o=a@b"));
  CHECK(has_credentials("https://a@adb-1.net"));
}

TEST_CASE("Errors say what is missing and where it was looked for", "[config]") {
  const Home home(kCfg);
  auto r = resolve_databricks_config({{}, {}, "prod", {}, {}}, {}, home.path());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error == "profile 'prod' not found in " + home.cfg() + " (profiles: DEFAULT, dev, half)");

  r = resolve_databricks_config({{}, {}, "half", {}, {}}, {}, home.path());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error ==
        "no Databricks token: looked in --token, --token-file, DATABRICKS_TOKEN(_FILE) and the "
        "config file "
        "(profile 'half' in " +
            home.cfg() + " has no token)");

  const Home empty;
  r = resolve_databricks_config({}, {{"DATABRICKS_TOKEN", "t"}}, empty.path());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error == "no Databricks host: looked in --host, DATABRICKS_HOST and the config file (" +
                       empty.cfg() + " does not exist)");

  r = resolve_databricks_config({{}, {}, "dev", {}, {}}, {}, empty.path());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error == "profile 'dev' (--profile) not found: " + empty.cfg() + " does not exist");

  const Home broken("[DEFAULT\nhost = x\n");
  r = resolve_databricks_config({}, {}, broken.path());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error == "bad config file " + broken.cfg() + " line 1: unmatched '['");
}

TEST_CASE("Flags and environment need no config file", "[config]") {
  const Home empty;
  const auto c = ok(resolve_databricks_config(
      {}, {{"DATABRICKS_HOST", "h.example.com"}, {"DATABRICKS_TOKEN", "t"}}, empty.path()));
  CHECK(c.host == "https://h.example.com");
  CHECK(ok(resolve_databricks_config({"h", "t", {}, {}, {}}, {}, "")).host == "https://h");
}

TEST_CASE("Hosts are normalised", "[config]") {
  CHECK(normalize_host("adb-1.azuredatabricks.net") == "https://adb-1.azuredatabricks.net");
  CHECK(normalize_host("https://adb-1.azuredatabricks.net/") ==
        "https://adb-1.azuredatabricks.net");
  CHECK(normalize_host(" http://127.0.0.1:8080// ") == "http://127.0.0.1:8080");
  CHECK(normalize_host("").empty());
}

}  // namespace
}  // namespace kiln::workspace
