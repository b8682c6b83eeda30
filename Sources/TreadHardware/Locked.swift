/// A value behind a pthread mutex, the lock every thread of treadd shares state through.
///
/// Not Synchronization's `Mutex`: on Linux that one hands a contended lock over through the
/// kernel (`FUTEX_LOCK_PI`/`FUTEX_UNLOCK_PI` inside the uninstrumented
/// libswiftSynchronization), which ThreadSanitizer cannot see, so every contended critical
/// section was reported as a race (the safety monitor's trip against the control loop's
/// `apply`, first). `pthread_mutex_lock` is intercepted, so under `-sanitize=thread` the
/// locking is checked for real, lock-order inversions included, instead of suppressed.
/// Priority-inheriting, as Mutex's PI futex was (`PriorityInheritingMutex`).
public final class Locked<Value> {
    private let mutex = PriorityInheritingMutex()
    private var value: Value

    public init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with the value while holding the lock. Not reentrant, as `Mutex` was not.
    @inline(__always)
    public func withLock<Result, E: Error>(_ body: (inout Value) throws(E) -> Result) throws(E) -> Result {
        mutex.lock()
        defer { mutex.unlock() }
        return try body(&value)
    }
}

/// Sendable as `Mutex` is: the value is only ever reached under the lock.
extension Locked: @unchecked Sendable {}
