import Foundation
import Glibc

/// What systemd tells a service through its environment (sd_notify(3), sd_watchdog_enabled(3),
/// sd_journal_stream_fd(3)), read once at start-up so tests can hand in their own.
public struct SystemdEnvironment: Sendable, Hashable {
    /// `$NOTIFY_SOCKET`: a path, or an abstract-namespace name starting with '@'.
    public var notifySocket: String?
    /// Half of `$WATCHDOG_USEC` is the ping interval; nil when systemd expects no pings
    /// (unset, or `$WATCHDOG_PID` names another process).
    public var watchdog: Duration?
    /// `$JOURNAL_STREAM` matches this process's stderr: log lines go straight to journald.
    public var stderrIsJournal: Bool

    public init(notifySocket: String? = nil, watchdog: Duration? = nil, stderrIsJournal: Bool = false) {
        self.notifySocket = notifySocket
        self.watchdog = watchdog
        self.stderrIsJournal = stderrIsJournal
    }

    /// Nothing from systemd: run as a plain process.
    public static let none = SystemdEnvironment()

    public static func current(_ env: [String: String] = ProcessInfo.processInfo.environment) -> SystemdEnvironment {
        var s = SystemdEnvironment()
        if let n = env["NOTIFY_SOCKET"], !n.isEmpty { s.notifySocket = n }
        if let usec = env["WATCHDOG_USEC"].flatMap(UInt64.init), usec > 0 {
            let forUs = env["WATCHDOG_PID"].flatMap(Int32.init).map { $0 == getpid() } ?? true
            if forUs { s.watchdog = .microseconds(Int64(clamping: usec)) }
        }
        s.stderrIsJournal = env["JOURNAL_STREAM"].map(Self.isStderr) ?? false
        return s
    }

    /// `$JOURNAL_STREAM` is "DEVICE:INODE" of the stream systemd connected; it is only ours
    /// while stderr is still that stream (a child whose stderr was redirected inherits the
    /// variable but not the stream).
    static func isStderr(_ journalStream: String) -> Bool {
        let parts = journalStream.split(separator: ":")
        guard parts.count == 2, let dev = UInt64(parts[0]), let ino = UInt64(parts[1]) else { return false }
        var st = stat()
        guard fstat(STDERR_FILENO, &st) == 0 else { return false }
        return UInt64(st.st_dev) == dev && UInt64(st.st_ino) == ino
    }
}
