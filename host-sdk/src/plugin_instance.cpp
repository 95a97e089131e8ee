#include "plugin_instance.hpp"

#include <algorithm>

namespace ehr::host::detail {

namespace {
// The plugins this thread is calling into right now (innermost last).
thread_local std::vector<const PluginInstance*> t_inside;
}  // namespace

LifecycleLock::LifecycleLock() {
  pthread_rwlockattr_t attributes;
  pthread_rwlockattr_init(&attributes);
#if defined(__GLIBC__)
  pthread_rwlockattr_setkind_np(&attributes, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
#endif
  pthread_rwlock_init(&lock_, &attributes);
  pthread_rwlockattr_destroy(&attributes);
}

LifecycleLock::~LifecycleLock() {
  pthread_rwlock_destroy(&lock_);
}
void LifecycleLock::lock_shared() {
  pthread_rwlock_rdlock(&lock_);
}
void LifecycleLock::unlock_shared() {
  pthread_rwlock_unlock(&lock_);
}
void LifecycleLock::lock() {
  pthread_rwlock_wrlock(&lock_);
}
void LifecycleLock::unlock() {
  pthread_rwlock_unlock(&lock_);
}

CallGuard::CallGuard(const PluginInstance& instance, Requires requires_state) : instance_(instance) {
  if (!inside(instance)) {
    instance.lock.lock_shared();
    locked_ = true;
  }
  if (!instance.alive) {
    status_ = Status::disabled("plugin " + instance.plugin_id + " has been shut down");
  } else if (requires_state == Requires::enabled && !instance.enabled) {
    status_ = Status::disabled("plugin " + instance.plugin_id + " is disabled; an admin can enable it");
  } else {
    t_inside.push_back(&instance);
    counted_ = true;
  }
}

CallGuard::~CallGuard() {
  if (counted_) t_inside.pop_back();
  if (locked_) instance_.lock.unlock_shared();
}

bool CallGuard::inside(const PluginInstance& instance) {
  return std::find(t_inside.begin(), t_inside.end(), &instance) != t_inside.end();
}

bool CallGuard::inside_any() {
  return !t_inside.empty();
}

}  // namespace ehr::host::detail
