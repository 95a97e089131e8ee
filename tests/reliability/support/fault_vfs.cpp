#include "support/fault_vfs.hpp"

#include <sqlite3.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace ehr::reliability {

namespace {

sqlite3_vfs* g_real = nullptr;  // the platform VFS underneath
FaultVfs* g_faults = nullptr;

// Our file object: the real file's object follows it in the same allocation (szOsFile).
struct FaultFile {
  sqlite3_file base;
  sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
};

FaultFile* fault_file(sqlite3_file* file) {
  return reinterpret_cast<FaultFile*>(file);
}

int x_close(sqlite3_file* f) {
  return fault_file(f)->real()->pMethods->xClose(fault_file(f)->real());
}
int x_read(sqlite3_file* f, void* buffer, int amount, sqlite3_int64 offset) {
  return fault_file(f)->real()->pMethods->xRead(fault_file(f)->real(), buffer, amount, offset);
}
int x_write(sqlite3_file* f, const void* buffer, int amount, sqlite3_int64 offset) {
  if (const int rc = g_faults->on_operation(FaultPoint::write)) return rc;
  return fault_file(f)->real()->pMethods->xWrite(fault_file(f)->real(), buffer, amount, offset);
}
int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
  return fault_file(f)->real()->pMethods->xTruncate(fault_file(f)->real(), size);
}
int x_sync(sqlite3_file* f, int flags) {
  if (const int rc = g_faults->on_operation(FaultPoint::sync)) return rc;
  return fault_file(f)->real()->pMethods->xSync(fault_file(f)->real(), flags);
}
int x_file_size(sqlite3_file* f, sqlite3_int64* size) {
  return fault_file(f)->real()->pMethods->xFileSize(fault_file(f)->real(), size);
}
int x_lock(sqlite3_file* f, int level) {
  return fault_file(f)->real()->pMethods->xLock(fault_file(f)->real(), level);
}
int x_unlock(sqlite3_file* f, int level) {
  return fault_file(f)->real()->pMethods->xUnlock(fault_file(f)->real(), level);
}
int x_check_reserved_lock(sqlite3_file* f, int* out) {
  return fault_file(f)->real()->pMethods->xCheckReservedLock(fault_file(f)->real(), out);
}
int x_file_control(sqlite3_file* f, int op, void* arg) {
  return fault_file(f)->real()->pMethods->xFileControl(fault_file(f)->real(), op, arg);
}
int x_sector_size(sqlite3_file* f) {
  return fault_file(f)->real()->pMethods->xSectorSize(fault_file(f)->real());
}
int x_device_characteristics(sqlite3_file* f) {
  return fault_file(f)->real()->pMethods->xDeviceCharacteristics(fault_file(f)->real());
}
int x_shm_map(sqlite3_file* f, int page, int page_size, int extend, void volatile** out) {
  return fault_file(f)->real()->pMethods->xShmMap(fault_file(f)->real(), page, page_size, extend, out);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return fault_file(f)->real()->pMethods->xShmLock(fault_file(f)->real(), offset, n, flags);
}
void x_shm_barrier(sqlite3_file* f) {
  fault_file(f)->real()->pMethods->xShmBarrier(fault_file(f)->real());
}
int x_shm_unmap(sqlite3_file* f, int delete_flag) {
  return fault_file(f)->real()->pMethods->xShmUnmap(fault_file(f)->real(), delete_flag);
}
int x_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  return fault_file(f)->real()->pMethods->xFetch(fault_file(f)->real(), offset, amount, out);
}
int x_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) {
  return fault_file(f)->real()->pMethods->xUnfetch(fault_file(f)->real(), offset, page);
}

// Version 3 methods, each forwarding to the real file's (all of the unix VFS's are present).
const sqlite3_io_methods kFileMethods = {
    3,
    &x_close,
    &x_read,
    &x_write,
    &x_truncate,
    &x_sync,
    &x_file_size,
    &x_lock,
    &x_unlock,
    &x_check_reserved_lock,
    &x_file_control,
    &x_sector_size,
    &x_device_characteristics,
    &x_shm_map,
    &x_shm_lock,
    &x_shm_barrier,
    &x_shm_unmap,
    &x_fetch,
    &x_unfetch,
};

int x_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  auto* ours = fault_file(file);
  ours->base.pMethods = nullptr;  // SQLite must not call xClose on a file that failed to open
  if (const int rc = g_faults->on_operation(FaultPoint::open)) return rc;
  const int rc = g_real->xOpen(g_real, name, ours->real(), flags, out_flags);
  if (rc == SQLITE_OK) ours->base.pMethods = &kFileMethods;
  return rc;
}
int x_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return g_real->xDelete(g_real, name, sync_dir);
}
int x_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_real->xAccess(g_real, name, flags, out);
}
int x_full_pathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return g_real->xFullPathname(g_real, name, size, out);
}
void* x_dl_open(sqlite3_vfs*, const char* name) {
  return g_real->xDlOpen(g_real, name);
}
void x_dl_error(sqlite3_vfs*, int size, char* out) {
  g_real->xDlError(g_real, size, out);
}
void (*x_dl_sym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return g_real->xDlSym(g_real, handle, symbol);
}
void x_dl_close(sqlite3_vfs*, void* handle) {
  g_real->xDlClose(g_real, handle);
}
int x_randomness(sqlite3_vfs*, int size, char* out) {
  return g_real->xRandomness(g_real, size, out);
}
int x_sleep(sqlite3_vfs*, int micros) {
  return g_real->xSleep(g_real, micros);
}
int x_current_time(sqlite3_vfs*, double* out) {
  return g_real->xCurrentTime(g_real, out);
}
int x_get_last_error(sqlite3_vfs*, int size, char* out) {
  return g_real->xGetLastError(g_real, size, out);
}
int x_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) {
  return g_real->xCurrentTimeInt64(g_real, out);
}

sqlite3_vfs g_vfs{};

}  // namespace

const char* to_string(FaultPoint point) {
  switch (point) {
    case FaultPoint::write:
      return "write";
    case FaultPoint::sync:
      return "sync";
    case FaultPoint::open:
      return "open";
  }
  return "?";
}

FaultVfs& FaultVfs::install() {
  static FaultVfs faults;
  static std::once_flag once;
  std::call_once(once, [] {
    g_real = sqlite3_vfs_find(nullptr);
    if (g_real == nullptr || g_real->iVersion < 2) throw std::runtime_error("no usable default SQLite VFS");
    g_faults = &faults;
    g_vfs.iVersion = 2;
    g_vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + g_real->szOsFile;
    g_vfs.mxPathname = g_real->mxPathname;
    g_vfs.zName = "ehr-fault";
    g_vfs.xOpen = &x_open;
    g_vfs.xDelete = &x_delete;
    g_vfs.xAccess = &x_access;
    g_vfs.xFullPathname = &x_full_pathname;
    g_vfs.xDlOpen = &x_dl_open;
    g_vfs.xDlError = &x_dl_error;
    g_vfs.xDlSym = &x_dl_sym;
    g_vfs.xDlClose = &x_dl_close;
    g_vfs.xRandomness = &x_randomness;
    g_vfs.xSleep = &x_sleep;
    g_vfs.xCurrentTime = &x_current_time;
    g_vfs.xGetLastError = &x_get_last_error;
    g_vfs.xCurrentTimeInt64 = &x_current_time_int64;
    if (sqlite3_vfs_register(&g_vfs, /*makeDflt=*/1) != SQLITE_OK)
      throw std::runtime_error("could not register the fault-injecting SQLite VFS");
  });
  return faults;
}

void FaultVfs::arm(FaultPoint point, int nth, int sqlite_error) {
  point_.store(-1);
  seen_.store(0);
  fired_.store(false);
  nth_.store(nth);
  error_.store(sqlite_error);
  point_.store(static_cast<int>(point));
}

void FaultVfs::disarm() {
  point_.store(-1);
}

int FaultVfs::on_operation(FaultPoint point) {
  if (point_.load() != static_cast<int>(point)) return SQLITE_OK;
  const int n = seen_.fetch_add(1) + 1;
  if (n != nth_.load()) return SQLITE_OK;
  fired_.store(true);
  return error_.load();
}

}  // namespace ehr::reliability
