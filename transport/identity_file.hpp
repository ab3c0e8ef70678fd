// Link identity files (docs/link-identity.md): the secret Ed25519 seed of an
// endpoint (mode 0600) and the public key file its peer pins.
#pragma once

#include <string>
#include <string_view>

#include "base/error.hpp"
#include "proto/identity.hpp"

namespace kskline::transport {

// Writes a new identity to `path` (mode 0600, created, never replacing a
// file) and its public key to `path.pub` (0644, also never replacing).
// errc::io_error naming the file when either exists or cannot be written;
// nothing is left behind when the second write fails.
Result<void> write_identity_files(const std::string& path, const proto::LinkIdentity& identity);

// Makes a new identity from the system's CSPRNG and writes it as
// write_identity_files does; returns its public key.
Result<proto::PublicKey> new_identity_files(const std::string& path);

// Reads a secret identity file. errc::bad_identity_file naming the file and
// line when it does not parse, when its public key does not belong to its
// seed, or when group or others may read it (mode & 077).
Result<proto::LinkIdentity> read_identity_file(const std::string& path);

// Reads a peer public key: a `.pub` file, an identity file (its public key
// only is used), or the key itself as 44 characters of base64.
// errc::bad_identity_file naming what did not parse.
Result<proto::PublicKey> read_public_key(const std::string& path_or_key);

// Formats a public key as the base64 used in the files (44 characters).
std::string public_key_text(const proto::PublicKey& key);

}  // namespace kskline::transport
