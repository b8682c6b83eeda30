import Glibc

/// SCHED_FIFO for the threads on the safety path: the drive thread (a stop frame out) and the
/// GPIO input thread (an edge in). At normal priority a woken thread waits for a CPU behind
/// whatever else runs (a log rotation, a console build, 500 socket subscribers): the
/// benchmarks saw the stop frame's p99.9 grow past 2 ms that way on a busy 2-core board. A
/// FIFO thread preempts normal ones the moment it is woken. Both threads block in poll or on a
/// condition between transactions, so they cannot starve the system; the kernel's RT
/// throttling stays as the backstop.
///
/// Needs CAP_SYS_NICE or an RLIMIT_RTPRIO at least as high (the unit's `LimitRTPRIO=`). When
/// refused the thread runs on at normal priority and the refusal is reported once: slower
/// under load is better than not running.
public struct RealtimePriority: Sendable, Hashable, CustomStringConvertible {
    /// The input thread runs one above the drive thread: an edge must be read before the stop
    /// it causes can be sent.
    public static let inputOffset: Int32 = 1
    /// Upper bound in the config: above this, kernel threads (e.g. threaded IRQs at 50) that
    /// the serial port and the GPIO chip depend on would be preempted by ours.
    public static let maxConfigurable: Int32 = 40

    public let value: Int32

    public init?(_ value: Int32) {
        guard (1...Self.maxConfigurable).contains(value) else { return nil }
        self.value = value
    }

    public var description: String { "SCHED_FIFO \(value)" }

    public var forInputs: RealtimePriority { RealtimePriority(value + Self.inputOffset) ?? self }

    /// Raises the calling thread; returns why not when refused.
    public func applyToCurrentThread() -> RealtimePriorityError? {
        var param = sched_param()
        param.sched_priority = value
        let rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param)
        return rc == 0 ? nil : RealtimePriorityError(priority: value, code: rc)
    }

    /// Back to SCHED_OTHER, for a thread done with its time-critical part.
    public static func returnCurrentThreadToNormal() {
        var param = sched_param()
        param.sched_priority = 0
        _ = pthread_setschedparam(pthread_self(), SCHED_OTHER, &param)
    }
}

public struct RealtimePriorityError: Error, Sendable, CustomStringConvertible {
    public var priority: Int32
    public var code: Int32
    public var description: String {
        let hint = code == EPERM ? " (needs CAP_SYS_NICE or LimitRTPRIO=\(priority + RealtimePriority.inputOffset) in the unit)" : ""
        return "cannot run at SCHED_FIFO \(priority): \(String(cString: strerror(code)))\(hint); running at normal priority"
    }
}
