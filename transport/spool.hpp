// Spool directories (a USB stick or floppy): one envelope a file.
//
//   DIR/to-ksk/             written by the zone side, read by the KSK side
//   DIR/to-zone/            written by the KSK side, read by the zone side
//   DIR/to-*/done/          files the reader accepted and acted on
//   DIR/to-*/rejected/      files the reader refused, each with NAME.reason
//
// Writers create files atomically (temporary ".NAME.tmp.*", fsync, rename,
// directory fsync); readers ignore names starting with '.', follow no
// symlink and take no file with a second name (a hard link), verify a whole
// envelope (size, digest, authentication, replay) held in memory before
// acting on those same bytes, and move every file they looked at to done/ or
// rejected/ without ever deleting or overwriting anything.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "proto/envelope.hpp"
#include "proto/identity.hpp"
#include "proto/replay.hpp"
#include "transport/disk_replay_ledger.hpp"

namespace kskline::transport {

// `name` (a file name or path from a spool) fit for a message or a terminal:
// backslashes, control characters and every byte outside printable ASCII
// (so also names that are not UTF-8) written as \\ and \xNN. A name written
// by kskline itself comes out unchanged.
std::string printable_name(std::string_view name);

// Which endpoint of the ceremony a process is.
enum class Side : std::uint8_t { zone, ksk };

// The folder a side writes to ("to-ksk" for the zone side, "to-zone" for the KSK side).
std::string_view outbound_folder(Side side) noexcept;
// The folder a side reads from.
std::string_view inbound_folder(Side side) noexcept;

// What a spool reader checks envelopes against.
struct SpoolRules {
  proto::AuthPolicy policy = proto::AuthPolicy::off;
  const proto::PinnedKeys* pinned = nullptr;
  std::uint64_t max_size = proto::kDefaultMaxEnvelope;
};

// A file the reader accepted.
struct SpoolAccepted {
  std::string file;           // where it is now (in done/)
  Bytes envelope;             // the bytes verified and acted on (the file may have changed since)
  proto::AuthStatus auth = proto::AuthStatus::not_checked;
};

// A file the reader refused.
struct SpoolRejected {
  std::string file;  // where it is now (in rejected/), beside FILE.reason
  Error error;
};

// What one pass over the inbound folder did.
struct SpoolScan {
  std::vector<SpoolAccepted> accepted;
  std::vector<SpoolRejected> rejected;
};

// One side's view of a spool directory.
// The most entries an inbound folder may hold for a run to read it: a zone
// side posts one request a ceremony, so a stick with more is not its work.
inline constexpr std::size_t kMaxInboundEntries = 1000;

// Moves `file`, an envelope taken from a spool by a command outside a Spool
// scan (`zone import`), into the done/ folder beside it when its folder is a
// spool's inbound folder (named to-zone or to-ksk), so the next ceremony's
// glob finds only new files: a rename within the medium (done/ made when
// missing), never replacing a file (NAME.1, NAME.2, ... instead), both
// folders fsynced. Returns the new path, or nullopt when the file is not in
// such a folder (it stays). errc::io_error naming the file, which stays,
// when it cannot be moved.
Result<std::optional<std::string>> move_taken(const std::string& file);

class Spool {
 public:
  // Opens the spool in `dir` (which must exist) for `side`, creating the two
  // folders and their done/ and rejected/ subfolders if missing.
  // errc::io_error naming the directory otherwise.
  static Result<Spool> open(const std::string& dir, Side side);

  // Writes an envelope into the outbound folder under a new name
  // ("<counter, 20 digits>-<message id hex>.kske", never replacing a file)
  // and returns its path. The envelope must parse (proto errors otherwise).
  Result<std::string> post(ByteView envelope) const;

  // The envelope this side already posted in reply to the envelope with
  // `request_digest` (its in_reply_to), in the outbound folder or its done/;
  // nullopt when there is none. A reader killed after posting an answer but
  // before moving the request to done/ finds its answer here on the next run
  // instead of posting a second one.
  std::optional<std::string> posted_reply(const proto::Sha256& request_digest) const;

  // Called for each verified envelope before it is recorded and moved to
  // done/; an error leaves the file where it is (to be retried later) and
  // stops the scan.
  using Act = std::function<Result<void>(const proto::Envelope& envelope, ByteView bytes)>;

  // Verifies every file in the inbound folder, oldest name first: regular
  // file with one link (lstat, O_NOFOLLOW, st_nlink), its size within
  // max_size before anything is read, size from the header, whole envelope
  // read once into memory and unchanged while it was read, digest,
  // authentication (an unsigned envelope is a downgrade once a pinned signer
  // is in the ledger), replay (ledger); then `act` on the bytes verified,
  // then the ledger record, then the move to done/. A file failing a check
  // moves to rejected/ beside a .reason file written first (a name too long
  // for ".reason" is shortened in rejected/). Names starting with '.'
  // (temporaries) and the done/ and rejected/ folders are skipped. Stops
  // after `limit` accepted files (0: no limit). errc::io_error naming the
  // file, which stays where it is, when the folder cannot be read or a file
  // cannot be moved or its .reason written (a full disk);
  // errc::too_many_files, before anything is read, when it holds more than
  // kMaxInboundEntries entries.
  Result<SpoolScan> receive(const SpoolRules& rules, DiskReplayLedger& ledger, const Act& act,
                            std::size_t limit = 0) const;

  // The folder this side writes to, and the one it reads.
  const std::string& outbound() const noexcept { return outbound_; }
  const std::string& inbound() const noexcept { return inbound_; }

 private:
  Spool(std::string outbound, std::string inbound) : outbound_(std::move(outbound)), inbound_(std::move(inbound)) {}
  std::string outbound_, inbound_;
};

}  // namespace kskline::transport
