#pragma once
// A stream service's `tls` object: read from the config (paths relative to
// the config file's directory) and turned into a TlsContext, with every
// problem at its JSON path. Building the context reads the files, so --check,
// start-up and reload all report a missing file or a key that does not match
// its certificate the same way. Internal to braid_services.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "braid/services/config.hpp"
#include "braid/tls.hpp"
#include "json_checks.hpp"

namespace braid::services::detail {

// Reads the `tls` object at `path` ("/services/N/tls"); nothing on an error.
// Relative paths are taken relative to `base_dir` (when it is not empty).
std::optional<TlsSettings> read_tls(const nlohmann::json& value, const std::string& path,
                                    const std::filesystem::path& base_dir, ErrorSink& errors);

// The JSON pointer of service `name` in `config` ("/services/N"), or "/services".
std::string service_path(const Config& config, const std::string& name);

struct LoadedTls {
  std::shared_ptr<TlsContext> context;  // null when it could not be built
  std::vector<JsonProblem> errors;      // at most one, at the key that names the file when it is clear
  std::vector<JsonProblem> warnings;    // TlsContext::warnings(): an expired certificate, a key others can read
};

// TlsContext::server(settings), where `path` is the service's `tls` object.
LoadedTls load_tls(const TlsSettings& settings, const std::string& path);
// context->reload(settings): the same errors and warnings; on an error the
// context keeps its old certificates (and `context` is not returned).
LoadedTls reload_tls(const std::shared_ptr<TlsContext>& context, const TlsSettings& settings,
                     const std::string& path);

}  // namespace braid::services::detail
