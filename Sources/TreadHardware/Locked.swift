import Foundation

/// A value behind a pthread mutex, the lock every thread of treadd shares state through.
///
/// Not Synchronization's `Mutex`: on Linux that one hands a contended lock over through the
/// kernel (`FUTEX_LOCK_PI`/`FUTEX_UNLOCK_PI` inside the uninstrumented
/// libswiftSynchronization), which ThreadSanitizer cannot see, so every contended critical
/// section was reported as a race (the safety monitor's trip against the control loop's
/// `apply`, first). `pthread_mutex_lock` is intercepted, so under `-sanitize=thread` the
/// locking is checked for real, lock-order inversions included, instead of suppressed.
public final class Locked<Value> {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        // Priority-inheriting, as Mutex's PI futex was: the SCHED_FIFO input and drive threads
        // share state with normal-priority ones (RealtimePriority), and a normal holder
        // preempted inside a critical section must not keep them waiting.
        var attr = pthread_mutexattr_t()
        pthread_mutexattr_init(&attr)
        pthread_mutexattr_setprotocol(&attr, Int32(PTHREAD_PRIO_INHERIT))
        precondition(pthread_mutex_init(mutex, &attr) == 0, "pthread_mutex_init failed")
        pthread_mutexattr_destroy(&attr)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with the value while holding the lock. Not reentrant, as `Mutex` was not.
    @inline(__always)
    public func withLock<Result, E: Error>(_ body: (inout Value) throws(E) -> Result) throws(E) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}

/// Sendable as `Mutex` is: the value is only ever reached under the lock.
extension Locked: @unchecked Sendable {}
