#include "sync_counter.hpp"

#include <dlfcn.h>

#include <atomic>

namespace {

std::atomic<bool> counting{false};
std::atomic<uint64_t> syncs{0};

using SyncFunction = int (*)(int);

SyncFunction next_definition(const char* name) {
  return reinterpret_cast<SyncFunction>(dlsym(RTLD_NEXT, name));
}

int forward(const char* name, SyncFunction& real, int fd) {
  if (real == nullptr) real = next_definition(name);
  if (counting.load(std::memory_order_relaxed)) syncs.fetch_add(1, std::memory_order_relaxed);
  return real(fd);
}

}  // namespace

// Interposes the C library's definitions (exported from the executable: bench/CMakeLists.txt).
extern "C" __attribute__((visibility("default"))) int fsync(int fd) {
  static SyncFunction real = nullptr;
  return forward("fsync", real, fd);
}

extern "C" __attribute__((visibility("default"))) int fdatasync(int fd) {
  static SyncFunction real = nullptr;
  return forward("fdatasync", real, fd);
}

namespace ehr::bench {

void count_syncs() {
  syncs.store(0, std::memory_order_relaxed);
  counting.store(true, std::memory_order_relaxed);
}

uint64_t syncs_counted() {
  return syncs.load(std::memory_order_relaxed);
}

}  // namespace ehr::bench
