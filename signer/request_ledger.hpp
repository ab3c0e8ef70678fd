// The KSK side's request ledger: every request it signed and the answer it
// gave, by request id, so that a re-sent request gets the same answer, a
// different request under a used id is refused, and the ZSK sets signed for
// each period are known (continuity).
//
//   DIR/<id>.request    the request's text as received
//   DIR/<id>.response   the response's text as sent
//   DIR/<id>.slots      for a Knot or BIND request (id: the first 16 octets of
//                       its text's SHA-256): the request as the KSK side
//                       expanded it into slots, in kskline's dialect, read
//                       for continuity instead of the foreign text
//
// Both are created atomically and never replaced; the response is written
// last, so a request file without one (a crash in between) is not signed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "zone/name.hpp"

namespace kskline::signer {

// A request and the response it got.
struct LedgerEntry {
  std::string request_text;
  std::string response_text;
};

// A slot the KSK side signed: its period and its ZSK set.
struct SignedSlot {
  std::string request_id;
  zone::Name zone;
  std::int64_t request_created = 0;  // the request's creation time (orders requests)
  std::int64_t start = 0;
  std::int64_t end = 0;
  std::vector<Bytes> zsks;  // DNSKEY RDATA of the slot's ZSKs, sorted
};

// The ledger directory of a KSK state.
class RequestLedger {
 public:
  // Opens the ledger in `dir`, creating it (mode 0700) if missing.
  // base::errc::io_error when it cannot be made.
  static Result<RequestLedger> open(const std::string& dir);

  // The stored request and response of `id`, or nullopt when the id was
  // never signed. errc::syntax for an id that is not 32 lowercase hex digits.
  Result<std::optional<LedgerEntry>> find(std::string_view id) const;

  // Stores a signed request and its response, and for a foreign request the
  // expanded request `slots_text` (kskline's dialect; empty: none).
  // errc::request_id_reused when the id holds another request or already has
  // a response; base::errc when a file cannot be written.
  Result<void> record(std::string_view id, std::string_view request_text, std::string_view response_text,
                      std::string_view slots_text = {}) const;

  // The slots of every signed request (parsed again from the stored text,
  // <id>.slots where there is one).
  // errc::bad_state naming the file when a stored request does not parse.
  Result<std::vector<SignedSlot>> signed_slots() const;

  // How many requests the ledger holds a response to (signed requests).
  // base::errc::io_error when the directory cannot be read.
  Result<std::size_t> signed_count() const;

  // The ledger directory.
  const std::string& dir() const noexcept { return dir_; }

 private:
  explicit RequestLedger(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

// Whether text is a request id: 32 lowercase hex digits.
bool is_request_id(std::string_view id) noexcept;

}  // namespace kskline::signer
