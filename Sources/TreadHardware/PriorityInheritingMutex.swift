import Glibc

/// The one pthread mutex set-up in treadd, shared by `Locked` and the drive link's
/// `PriorityInheritingCondition`.
///
/// PTHREAD_PRIO_INHERIT: the SCHED_FIFO input and drive threads (RealtimePriority) share
/// state with normal-priority ones, and a normal holder preempted inside a critical section
/// must not keep them waiting (priority inversion): it runs at the priority of its highest
/// waiter until it lets go. A pthread mutex rather than Synchronization's `Mutex` so that
/// ThreadSanitizer checks the locking (see `Locked`).
final class PriorityInheritingMutex: @unchecked Sendable {
    /// For `pthread_cond_wait` and friends, which take the mutex itself.
    let raw: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        raw = .allocate(capacity: 1)
        raw.initialize(to: pthread_mutex_t())
        var attr = pthread_mutexattr_t()
        pthread_mutexattr_init(&attr)
        pthread_mutexattr_setprotocol(&attr, Int32(PTHREAD_PRIO_INHERIT))
        precondition(pthread_mutex_init(raw, &attr) == 0, "pthread_mutex_init failed")
        pthread_mutexattr_destroy(&attr)
    }

    deinit {
        pthread_mutex_destroy(raw)
        raw.deinitialize(count: 1)
        raw.deallocate()
    }

    @inline(__always) func lock() { pthread_mutex_lock(raw) }
    @inline(__always) func unlock() { pthread_mutex_unlock(raw) }
}
