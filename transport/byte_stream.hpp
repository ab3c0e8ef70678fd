// A full-duplex byte stream the engine driver pumps: a serial port or one
// end of a loopback line. Asynchronous only; every operation completes
// through the io_context the stream was made with.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <system_error>

#include "base/bytes.hpp"
#include "base/error.hpp"

namespace kskline::transport {

// The error a cancelled operation completes with.
inline std::error_code aborted_error() noexcept { return std::make_error_code(std::errc::operation_canceled); }
// Whether an operation completed because it was cancelled.
inline bool is_aborted(const std::error_code& ec) noexcept { return ec == std::errc::operation_canceled; }

// The stream interface of EngineDriver.
class ByteStream {
 public:
  // Completion of a read or write: an error (aborted_error() after
  // cancel()) and the number of bytes moved.
  using Handler = std::function<void(std::error_code, std::size_t)>;

  virtual ~ByteStream() = default;

  // Reads at least one byte into `buffer` (which stays valid until the
  // handler runs). At most one read is pending at a time. A stream that
  // loses its device keeps the read pending until the device is back.
  virtual void async_read_some(std::span<std::uint8_t> buffer, Handler handler) = 0;
  // Writes all of `data` (kept valid by the caller until the handler runs).
  // At most one write is pending at a time. Bytes written while the device
  // is gone are lost, as on a pulled cable, and the write completes.
  virtual void async_write(ByteView data, Handler handler) = 0;
  // Cancels pending operations: their handlers run with operation_aborted.
  virtual void cancel() = 0;
  // Waits (blocking, at most `max_wait_ms`) until written bytes have left
  // the device (tcdrain for a serial port).
  virtual void drain(int max_wait_ms) = 0;
  // Characters per second of the line, used to pace writes and set the
  // engine's timers (0 if unknown or unlimited).
  virtual std::uint32_t line_rate() const = 0;
  // Whether writes wait in a device buffer that the driver must not
  // overfill (serial ports); a loopback completes writes at line pace.
  virtual bool buffered() const = 0;
  // A short name for messages ("serial /dev/ttyUSB0").
  virtual std::string name() const = 0;
};

}  // namespace kskline::transport
