import Foundation
import Glibc
import Synchronization
import TreadHardware

/// Writes log lines to a file descriptor (stderr) from a thread of its own, so a thread that
/// logs (the control loop on an event, the drive thread on an error) never waits on the
/// journal or a full pipe.
///
/// Lines go through a bounded queue. When the queue is full the line is dropped and counted
/// (`LogDrops.total`, exported as a metric), and once the writer catches up it writes one
/// warning saying how many were lost. Dropping a log line is better than stalling the belt's
/// control loop behind journald.
public final class LogWriter: Sendable {
    private let fd: Int32
    private let capacity: Int
    private let queue = Locked<[String]>([])
    private let droppedSinceReport = Atomic<Int>(0)
    private let accepted = Atomic<Int>(0)
    private let written = Atomic<Int>(0)
    private let wake = DispatchSemaphore(value: 0)
    /// Formats the "lines were dropped" notice in the same style as the other lines.
    private let dropNotice: @Sendable (Int) -> String

    /// - Parameters:
    ///   - fd: where lines go; stderr unless a test hands in a pipe.
    ///   - capacity: lines waiting at most; more are dropped.
    public init(fd: Int32 = STDERR_FILENO, capacity: Int = 1024, dropNotice: @escaping @Sendable (Int) -> String) {
        self.fd = fd
        self.capacity = capacity
        self.dropNotice = dropNotice
        let t = Thread { [self] in run() }
        t.name = "treadd-log"
        t.start()
    }

    /// Queues a complete line (with its newline). Returns false when it was dropped.
    @discardableResult
    public func submit(_ line: String) -> Bool {
        let accepted = queue.withLock { q -> Bool in
            guard q.count < capacity else { return false }
            q.append(line)
            return true
        }
        if accepted {
            self.accepted.add(1, ordering: .relaxed)
            wake.signal()
        } else {
            droppedSinceReport.add(1, ordering: .relaxed)
            LogDrops.count()
        }
        return accepted
    }

    /// Waits up to `timeout` until every line queued so far is written (before exit).
    public func flush(timeout: Duration = .seconds(2)) {
        let target = accepted.load(ordering: .relaxed)
        let deadline = ContinuousClock.now + timeout
        while written.load(ordering: .relaxed) < target, ContinuousClock.now < deadline {
            usleep(1_000)
        }
    }

    private func run() {
        while true {
            wake.wait()
            let lines = queue.withLock { q -> [String] in
                defer { q.removeAll(keepingCapacity: true) }
                return q
            }
            for line in lines {
                write(line)
                written.add(1, ordering: .relaxed)
            }
            let dropped = droppedSinceReport.exchange(0, ordering: .relaxed)
            if dropped > 0 { write(dropNotice(dropped)) }
        }
    }

    private func write(_ line: String) {
        var bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return  // stderr gone: nothing useful left to do with the line
            }
            offset += n
        }
        bytes.removeAll()
    }
}

/// Log lines dropped since start, by every writer (for the metrics endpoint).
public enum LogDrops {
    private static let dropped = Atomic<Int>(0)
    static func count() { dropped.add(1, ordering: .relaxed) }
    public static var total: Int { dropped.load(ordering: .relaxed) }
}
