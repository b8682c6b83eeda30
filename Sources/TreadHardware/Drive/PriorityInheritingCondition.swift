import Glibc

/// A mutex and condition variable for the drive link, where a SCHED_FIFO drive thread shares
/// state with normal-priority threads (the control loop submitting setpoints, the socket
/// threads reading feedback). With a plain mutex a normal thread preempted while holding it
/// keeps the woken drive thread, and so the stop frame, waiting for as long as the machine is
/// busy (priority inversion). This mutex is PTHREAD_PRIO_INHERIT: its holder runs at the
/// priority of the highest waiter until it lets go. Timed waits run on CLOCK_MONOTONIC, so a
/// wall-clock step never stretches or cuts a poll interval.
final class PriorityInheritingCondition: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        var ma = pthread_mutexattr_t()
        pthread_mutexattr_init(&ma)
        pthread_mutexattr_setprotocol(&ma, Int32(PTHREAD_PRIO_INHERIT))
        pthread_mutex_init(mutex, &ma)
        pthread_mutexattr_destroy(&ma)
        var ca = pthread_condattr_t()
        pthread_condattr_init(&ca)
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC)
        pthread_cond_init(cond, &ca)
        pthread_condattr_destroy(&ca)
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
    func signal() { pthread_cond_signal(cond) }
    func broadcast() { pthread_cond_broadcast(cond) }
    func wait() { pthread_cond_wait(cond, mutex) }

    /// Waits (the lock held) until signalled or `timeout` has passed on the monotonic clock.
    func wait(timeout: Duration) {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let (seconds, attoseconds) = max(timeout, .zero).components
        var nanos = Int(now.tv_nsec) + Int(attoseconds / 1_000_000_000)
        var deadline = timespec(tv_sec: now.tv_sec + Int(seconds) + nanos / 1_000_000_000, tv_nsec: 0)
        nanos %= 1_000_000_000
        deadline.tv_nsec = nanos
        _ = pthread_cond_timedwait(cond, mutex, &deadline)
    }
}
