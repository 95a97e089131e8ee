// A SQLite VFS shim (after SQLite's own test_vfs/"crash" methods): wraps the platform VFS and
// fails the Nth write, sync or open from the moment it is armed, with a chosen SQLite error
// (SQLITE_IOERR_*, SQLITE_FULL). Installed as the process's default VFS, so it also sits under
// a plugin loaded with dlopen (the plugin links the same libsqlite3). Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace ehr::reliability {

enum class FaultPoint { write, sync, open };

const char* to_string(FaultPoint point);

class FaultVfs {
 public:
  // Registers the shim as the default VFS (once per process) and returns it, disarmed.
  static FaultVfs& install();

  // From now on, the `nth` (1-based) operation of `point` fails with `sqlite_error`; only that
  // one (a transient fault: later operations succeed, as after a disk was freed).
  void arm(FaultPoint point, int nth, int sqlite_error);
  void disarm();
  // Whether the armed fault has fired since arm().
  [[nodiscard]] bool fired() const { return fired_.load(); }
  // Operations of the armed point seen since arm().
  [[nodiscard]] int seen() const { return seen_.load(); }

  // Called by the shim: the error to return for this operation, or 0 (SQLITE_OK) to go ahead.
  int on_operation(FaultPoint point);

 private:
  FaultVfs() = default;
  std::atomic<int> point_{-1};
  std::atomic<int> nth_{0};
  std::atomic<int> error_{0};
  std::atomic<int> seen_{0};
  std::atomic<bool> fired_{false};
};

}  // namespace ehr::reliability
