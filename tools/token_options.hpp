// The options of a key in a PKCS#11 token (ksk init, keygen, ksk sign and
// serve): which key --pkcs11-module, --token and --key-label name, and where
// the token's PIN comes from: never the command line, but a file
// (--pin-file), the environment (KSKLINE_PKCS11_PIN or
// KSKLINE_PKCS11_PIN_FILE) or the operator at the terminal.
#pragma once

#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "zone/pkcs11_key.hpp"

namespace kskline::tools {

// A PinSource that reads `pin_file` when it is not empty, else the
// environment (zone::environment_pin_source), else asks on /dev/tty with
// echo off; zone::errc::pin_required when none of them gives a PIN.
zone::PinSource operator_pin_source(const std::string& pin_file);

// What --pkcs11-module, --token, --key-label and --pin-file were given (ksk init, keygen).
struct TokenKeyOptions {
  std::string module, token, key_label, pin_file;

  // Whether any of the three naming a key was given: the key is in a token.
  bool given() const { return !module.empty() || !token.empty() || !key_label.empty(); }
};

// Adds --pkcs11-module, --token, --key-label and --pin-file to `cmd`; `what`
// ("the key", "the KSK") is what is made or found in the token.
void add_token_key_options(CLI::App* cmd, TokenKeyOptions& options, std::string_view what);

// The key the options name. --key-label may be an RFC 7512 URI, which may
// name the token and module too (the options win); an error, a usage
// error, names the option at fault.
Result<zone::Pkcs11KeyRef> token_key_ref(const TokenKeyOptions& options);

// The help text of --pin-file.
inline constexpr const char* kPinFileHelp =
    "a file whose first line is the token's PIN (default: KSKLINE_PKCS11_PIN, KSKLINE_PKCS11_PIN_FILE, or asked)";

}  // namespace kskline::tools
