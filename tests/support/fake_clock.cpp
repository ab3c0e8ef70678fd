// A preload library that moves the wall clock of the program it is loaded
// into: with KSKLINE_FAKE_NOW=<unix seconds> in its environment, the program's
// CLOCK_REALTIME starts at that time and runs on from there. The tests use it
// for oracles that have no time option of their own (dnssec-verify checks
// signature times against the clock). Monotonic clocks are left alone, and the
// real clock is read with the system call, so nothing here can recurse into a
// wrapped function (libfaketime does, inside BIND 9.18's programs).
#include <cstdlib>
#include <ctime>

#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

namespace {

struct timespec real_clock(clockid_t id) {
  struct timespec ts {};
  ::syscall(SYS_clock_gettime, id, &ts);
  return ts;
}

// Seconds to add to the real wall clock, fixed at the first call.
long offset() {
  static const long seconds = [] {
    const char* fake = std::getenv("KSKLINE_FAKE_NOW");
    return fake == nullptr ? 0L : std::atol(fake) - static_cast<long>(real_clock(CLOCK_REALTIME).tv_sec);
  }();
  return seconds;
}

}  // namespace

extern "C" {

int clock_gettime(clockid_t id, struct timespec* ts) {
  const long rc = ::syscall(SYS_clock_gettime, id, ts);
  if (rc == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)) ts->tv_sec += offset();
  return static_cast<int>(rc);
}

int gettimeofday(struct timeval* tv, void*) {
  struct timespec ts {};
  const int rc = clock_gettime(CLOCK_REALTIME, &ts);
  if (rc == 0) {  // tv is declared nonnull
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = ts.tv_nsec / 1000;
  }
  return rc;
}

time_t time(time_t* out) {
  struct timespec ts {};
  clock_gettime(CLOCK_REALTIME, &ts);
  if (out != nullptr) *out = ts.tv_sec;
  return ts.tv_sec;
}

}  // extern "C"
