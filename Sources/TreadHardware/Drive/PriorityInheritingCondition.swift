import Glibc

/// A mutex and condition variable for the drive link, where a SCHED_FIFO drive thread shares
/// state with normal-priority threads (the control loop submitting setpoints, the socket
/// threads reading feedback). With a plain mutex a normal thread preempted while holding it
/// keeps the woken drive thread, and so the stop frame, waiting for as long as the machine is
/// busy (priority inversion), so the mutex is a `PriorityInheritingMutex`. Timed waits run on
/// CLOCK_MONOTONIC, so a wall-clock step never stretches or cuts a poll interval.
public final class PriorityInheritingCondition: @unchecked Sendable {
    private let mutex = PriorityInheritingMutex()
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init() {
        var ca = pthread_condattr_t()
        pthread_condattr_init(&ca)
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC)
        pthread_cond_init(cond, &ca)
        pthread_condattr_destroy(&ca)
    }

    deinit {
        pthread_cond_destroy(cond)
        cond.deallocate()
    }

    public func lock() { mutex.lock() }
    public func unlock() { mutex.unlock() }
    public func signal() { pthread_cond_signal(cond) }
    public func broadcast() { pthread_cond_broadcast(cond) }
    public func wait() { pthread_cond_wait(cond, mutex.raw) }

    /// Waits (the lock held) until signalled or `timeout` has passed on the monotonic clock.
    public func wait(timeout: Duration) {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let (seconds, attoseconds) = max(timeout, .zero).components
        var nanos = Int(now.tv_nsec) + Int(attoseconds / 1_000_000_000)
        var deadline = timespec(tv_sec: now.tv_sec + Int(seconds) + nanos / 1_000_000_000, tv_nsec: 0)
        nanos %= 1_000_000_000
        deadline.tv_nsec = nanos
        _ = pthread_cond_timedwait(cond, mutex.raw, &deadline)
    }
}
