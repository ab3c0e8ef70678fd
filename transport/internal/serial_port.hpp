// Serial ports for the link: boost::asio::serial_port over a device opened
// exclusively, in raw mode, with every setting verified; a stream that
// survives the device vanishing and coming back (a USB adapter replugged).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/serial_port.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/error.hpp"
#include "transport/byte_stream.hpp"
#include "transport/device_lock.hpp"
#include "transport/link_spec.hpp"

namespace kskline::transport {

// Puts an open terminal device into raw mode with `settings`, one setting at
// a time, reading each back. errc::device_unavailable when `fd` is not a
// terminal; errc::setting_refused naming the setting ("baud=250000",
// "bits=7", "parity=even", "stop=2", "flow=rtscts") the device does not
// take. Pseudo-terminals ignore data bits, parity and RTS/CTS (the kernel
// forces CS8): those are not checked on them, and bits=7 is applied as
// ISTRIP (the 8th bit of every received byte cleared) on any device.
Result<void> configure_serial(int fd, const std::string& path, const SerialSettings& settings);

// Whether `fd` is the slave side of a pseudo-terminal.
bool is_pseudo_terminal(int fd) noexcept;

// An open, locked, configured device.
struct SerialDevice {
  int fd = -1;  // non-blocking; the caller owns it
  DeviceLock lock;
};

// Opens `path` for a link: the lock file first (DeviceLock), then
// open(O_RDWR|O_NOCTTY|O_NONBLOCK), TIOCEXCL, configure_serial(), and a
// flush of stale input. errc::device_unavailable (missing device,
// permissions), errc::device_busy (naming the holder), errc::setting_refused.
Result<SerialDevice> open_serial_device(const std::string& path, const SerialSettings& settings);

// A ByteStream over a serial device that reopens it when it vanishes.
//
// A read or write error (EIO, ENODEV, end of file: the device was unplugged)
// closes the device and retries opening the same path with a backoff of
// 100 ms doubling to 1 s, forever; meanwhile the pending read waits and
// writes complete as if sent (the bytes are lost, as on a pulled cable), so
// the engine above notices the silence and resumes when the line is back.
class SerialStream final : public ByteStream {
 public:
  // Receives notices for the operator ("device lost: ...", "device back").
  using Notice = std::function<void(const std::string&)>;

  // Opens the device (open_serial_device) on `io`. The first open fails
  // with its error; only later losses are retried.
  static Result<std::unique_ptr<SerialStream>> open(boost::asio::io_context& io, const SerialLink& link,
                                                    Notice notice = {});
  // Clears TIOCEXCL, closes the device and releases the lock.
  ~SerialStream() override;

  void async_read_some(std::span<std::uint8_t> buffer, Handler handler) override;
  void async_write(ByteView data, Handler handler) override;
  void cancel() override;
  void drain(int max_wait_ms) override;
  std::uint32_t line_rate() const override { return link_.settings.bytes_per_second(); }
  bool buffered() const override { return true; }
  std::string name() const override { return link_.path; }

  // Whether the device is open now.
  bool connected() const noexcept { return connected_; }
  // How many times the device came back after vanishing.
  std::uint64_t reopened() const noexcept { return reopened_; }

 private:
  SerialStream(boost::asio::io_context& io, SerialLink link, Notice notice);
  void attach(SerialDevice device);
  void issue_read();
  void lost(const std::string& why, const char* during);
  void schedule_reopen();
  void try_reopen();
  void close_device() noexcept;

  boost::asio::io_context& io_;
  boost::asio::serial_port port_;
  boost::asio::steady_timer reopen_timer_;
  SerialLink link_;
  Notice notice_;
  DeviceLock lock_;
  bool connected_ = false;
  bool cancelled_ = false;
  unsigned generation_ = 0;
  std::span<std::uint8_t> read_buffer_;
  Handler read_handler_;
  bool read_in_flight_ = false;
  std::chrono::milliseconds backoff_{100};
  std::string last_reopen_error_;
  std::uint64_t reopened_ = 0;
};

}  // namespace kskline::transport
