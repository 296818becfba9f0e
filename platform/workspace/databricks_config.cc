#include "platform/workspace/databricks_config.h"

#include <boost/property_tree/ini_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

namespace kiln::workspace {
namespace {

namespace pt = boost::property_tree;

std::optional<std::string> non_empty(const std::optional<std::string>& v) {
  if (v && !v->empty()) return v;
  return std::nullopt;
}

std::optional<std::string> env_value(const Environment& env, const std::string& name) {
  const auto it = env.find(name);
  if (it == env.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::string quoted(const std::string& name) {
  return "'" + name + "'";
}

// What the config file says, and why a value could not come from it.
struct FileLookup {
  std::optional<std::string> host;
  std::optional<std::string> token;
  std::string why_not;  // "/root/.databrickscfg does not exist", ...
  std::string error;    // a failure that stops resolution
};

FileLookup read_profile(const std::string& path, const std::string& profile, bool explicit_profile,
                        const std::string& profile_origin) {
  FileLookup out;
  std::error_code ec;
  if (path.empty()) {
    out.why_not = "no config file (no home directory)";
  } else if (!std::filesystem::exists(path, ec)) {
    out.why_not = path + " does not exist";
  }
  if (!out.why_not.empty()) {
    if (explicit_profile) {
      out.error =
          "profile " + quoted(profile) + " (" + profile_origin + ") not found: " + out.why_not;
    }
    return out;
  }
  pt::ptree tree;
  std::ifstream in(path);
  if (!in) {
    out.error = "cannot read config file " + path;
    return out;
  }
  try {
    pt::read_ini(in, tree);
  } catch (const pt::ini_parser_error& e) {
    out.error =
        "bad config file " + path + " line " + std::to_string(e.line()) + ": " + e.message();
    return out;
  }
  // Sections only (top-level keys outside any section are not profiles); find() takes the name
  // literally, so a profile may contain dots.
  std::vector<std::string> names;
  for (const auto& [name, section] : tree) {
    if (!section.empty()) names.push_back(name);
  }
  const auto it = tree.find(profile);
  if (it == tree.not_found() || it->second.empty()) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    out.why_not = "profile " + quoted(profile) + " not found in " + path +
                  " (profiles: " + (list.empty() ? "none" : list) + ")";
    if (explicit_profile) out.error = out.why_not;
    return out;
  }
  const auto& section = it->second;
  if (auto h = section.get_optional<std::string>(pt::ptree::path_type("host", '\0'))) {
    if (!h->empty()) out.host = *h;
  }
  if (auto t = section.get_optional<std::string>(pt::ptree::path_type("token", '\0'))) {
    if (!t->empty()) out.token = *t;
  }
  return out;
}

// The token a file holds: its text without trailing whitespace; empty with `error` set if the
// file cannot be read or holds nothing.
std::optional<std::string> read_token_file(const std::string& path, const std::string& origin,
                                           std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read the token file " + path + " (" + origin + ")";
    return std::nullopt;
  }
  std::string token((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back())) != 0) {
    token.pop_back();
  }
  if (token.empty()) {
    error = "the token file " + path + " (" + origin + ") is empty";
    return std::nullopt;
  }
  return token;
}

}  // namespace

bool has_credentials(std::string_view url) {
  const auto scheme = url.find("://");
  const auto start = scheme == std::string_view::npos ? 0 : scheme + 3;
  const auto end = url.find_first_of("/?#", start);
  const auto authority = url.substr(start, end == std::string_view::npos ? url.npos : end - start);
  return authority.find('@') != std::string_view::npos;
}

std::string normalize_host(std::string_view host) {
  while (!host.empty() && (host.front() == ' ' || host.front() == '\t')) host.remove_prefix(1);
  while (!host.empty() && (host.back() == ' ' || host.back() == '\t' || host.back() == '/')) {
    host.remove_suffix(1);
  }
  std::string out(host);
  if (!out.empty() && out.find("://") == std::string::npos) out = "https://" + out;
  return out;
}

ConfigResult resolve_databricks_config(const ConfigFlags& flags, const Environment& env,
                                       const std::string& home_dir) {
  ConfigResult result;
  DatabricksConfig c;
  // Profile and file: flag, then environment, then the defaults.
  std::optional<std::string> profile = non_empty(flags.profile);
  std::string profile_origin = "--profile";
  if (!profile && (profile = env_value(env, "DATABRICKS_CONFIG_PROFILE"))) {
    profile_origin = "DATABRICKS_CONFIG_PROFILE";
  }
  const bool explicit_profile = profile.has_value();
  const std::string profile_name = profile.value_or("DEFAULT");
  std::string file =
      non_empty(flags.config_file).value_or(env_value(env, "DATABRICKS_CONFIG_FILE").value_or(""));
  if (file.empty() && !home_dir.empty()) file = home_dir + "/.databrickscfg";
  if (file.rfind("~/", 0) == 0 && !home_dir.empty()) file = home_dir + file.substr(1);

  std::optional<std::string> host = non_empty(flags.host);
  c.host_source = "--host";
  if (!host && (host = env_value(env, "DATABRICKS_HOST"))) c.host_source = "DATABRICKS_HOST";
  if (host && has_credentials(*host)) {
    result.error = std::string(kCredentialsInHost) + " (the host from " + c.host_source + ")";
    return result;
  }
  std::optional<std::string> token = non_empty(flags.token);
  c.token_source = "--token";
  const auto token_file = non_empty(flags.token_file);
  if (token && token_file) {
    result.error = "both --token and --token-file: give one";
    return result;
  }
  std::optional<std::string> file_of_token = token_file;
  std::string file_origin = "--token-file";
  if (!token && !file_of_token) {
    if ((token = env_value(env, "DATABRICKS_TOKEN"))) {
      c.token_source = "DATABRICKS_TOKEN";
    } else if ((file_of_token = env_value(env, "DATABRICKS_TOKEN_FILE"))) {
      file_origin = "DATABRICKS_TOKEN_FILE";
    }
  }
  if (!token && file_of_token) {
    token = read_token_file(*file_of_token, file_origin, result.error);
    if (!token) return result;
    c.token_source = file_origin + " " + *file_of_token;
  }

  std::string why_not;
  if (explicit_profile || !host || !token) {
    const FileLookup found = read_profile(file, profile_name, explicit_profile, profile_origin);
    if (!found.error.empty()) {
      result.error = found.error;
      return result;
    }
    why_not = found.why_not;
    const std::string origin = "profile " + quoted(profile_name) + " in " + file;
    if (found.why_not.empty()) {
      c.profile = profile_name;
      c.config_file = file;
    }
    if (!host && found.host) {
      if (has_credentials(*found.host)) {
        result.error = std::string(kCredentialsInHost) + " (the host from " + origin + ")";
        return result;
      }
      host = found.host;
      c.host_source = origin;
    }
    if (!token && found.token) {
      token = found.token;
      c.token_source = origin;
    }
  }
  const auto missing = [&](const char* what, const char* flag, const char* var) {
    std::string where = why_not.empty()
                            ? "profile " + quoted(profile_name) + " in " + file + " has no " + what
                            : why_not;
    return std::string("no Databricks ") + what + ": looked in " + flag + ", " + var + " and " +
           "the config file (" + where + ")";
  };
  if (!host) {
    result.error = missing("host", "--host", "DATABRICKS_HOST");
    return result;
  }
  if (!token) {
    result.error = missing("token", "--token, --token-file", "DATABRICKS_TOKEN(_FILE)");
    return result;
  }
  c.host = normalize_host(*host);
  c.token = *token;
  result.config = std::move(c);
  return result;
}

ConfigResult resolve_databricks_config(const ConfigFlags& flags) {
  Environment env;
  for (const char* name : {"DATABRICKS_HOST", "DATABRICKS_TOKEN", "DATABRICKS_TOKEN_FILE",
                           "DATABRICKS_CONFIG_PROFILE", "DATABRICKS_CONFIG_FILE"}) {
    if (const char* v = std::getenv(name)) env[name] = v;  // NOLINT(concurrency-mt-unsafe)
  }
  const char* home = std::getenv("HOME");  // NOLINT(concurrency-mt-unsafe)
  return resolve_databricks_config(flags, env, home != nullptr ? home : "");
}

}  // namespace kiln::workspace
