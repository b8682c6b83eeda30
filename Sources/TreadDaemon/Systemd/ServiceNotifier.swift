import Foundation
import Logging
import TreadCore

/// Talks to systemd for the daemon, from a thread of its own so the control loop never
/// waits on it.
///
/// States: *starting* (nothing sent) → *ready* (READY=1 sent, with the first STATUS=) →
/// *stopping* (STOPPING=1 sent, status lines say so) → *ended*. While ready or stopping,
/// every half watchdog interval it pings WATCHDOG=1 if, and only if, the control loop's tick
/// counter advanced since the previous check: a stalled loop stops the pings, and systemd
/// kills and restarts the service once `WatchdogSec` passes without one (the drive-enable
/// relay and the drive's own comm-loss stop hold the belt meanwhile). STATUS= goes out when
/// the line changes; the line is checked a few times a second, never per tick.
public final class ServiceNotifier: @unchecked Sendable {
    private let socket: NotifySocket
    private let pingInterval: Duration?
    private let ticks: @Sendable () -> Int
    /// Names a safety thread (drive, inputs) whose heartbeat is too old; nil when all tick.
    private let stalledThread: @Sendable () -> String?
    private let statusLine: @Sendable () -> String
    private let logger: Logger
    private let cond = NSCondition()
    // Guarded by `cond`.
    private var phase = Phase.starting
    private var sent: [String] = []
    private var thread: Thread?
    private var finished = false

    private enum Phase { case starting, ready, stopping, ended }

    /// How often the status line is compared with the last one sent.
    static let statusCheckInterval = Duration.milliseconds(250)

    /// - Parameters:
    ///   - watchdog: `WatchdogSec` as systemd passed it (`$WATCHDOG_USEC`); pings go out at half of it.
    ///   - ticks: the control loop's tick counter.
    ///   - statusLine: the current STATUS= text; called on the notifier's thread.
    public init(socket: NotifySocket, watchdog: Duration?, ticks: @escaping @Sendable () -> Int,
                stalledThread: @escaping @Sendable () -> String? = { nil },
                statusLine: @escaping @Sendable () -> String, logger: Logger) {
        self.socket = socket
        self.pingInterval = watchdog.map { $0 / 2 }
        self.ticks = ticks
        self.stalledThread = stalledThread
        self.statusLine = statusLine
        self.logger = logger
    }

    /// Sends READY=1 (with the first status line) from the notifier's thread, then keeps the
    /// status and watchdog going. Call once start-up is complete.
    public func start() {
        let t = Thread { [self] in run() }
        t.name = "treadd-notify"
        cond.lock()
        thread = t
        cond.unlock()
        t.start()
    }

    /// STOPPING=1, sent at once: systemd shows the unit as deactivating while the belt stops.
    public func stopping() {
        cond.lock()
        phase = .stopping
        cond.unlock()
        send("STOPPING=1\nSTATUS=stopping: bringing the belt to a controlled stop")
        cond.lock()
        cond.broadcast()
        cond.unlock()
    }

    /// RELOADING=1 before the program library is read again; `reloaded()` after.
    public func reloading() { send("RELOADING=1\nSTATUS=reloading programs") }

    public func reloaded() {
        let line = statusLine()
        send("READY=1\nSTATUS=\(line)")
    }

    /// Ends the thread; no notification is sent after this returns.
    public func shutdown() {
        cond.lock()
        phase = .ended
        cond.broadcast()
        while thread != nil, !finished { cond.wait() }
        cond.unlock()
    }

    /// Every message sent, in order (tests and diagnostics).
    var history: [String] {
        cond.lock(); defer { cond.unlock() }
        return sent
    }

    private func send(_ message: String) {
        let result = socket.send(message)
        cond.lock()
        sent.append(message)
        if sent.count > 64 { sent.removeFirst(sent.count - 64) }
        cond.unlock()
        if case .failed(let e) = result {
            logger.warning("sd_notify failed", metadata: ["socket": "\(socket.address)", "error": "\(String(cString: strerror(e)))"])
        }
    }

    private func run() {
        let clock = ContinuousClock()
        var lastLine = statusLine()
        send("READY=1\nSTATUS=\(lastLine)")
        cond.lock()
        if phase == .starting { phase = .ready }
        cond.unlock()

        var lastTicks = ticks()
        var nextPing = pingInterval.map { clock.now + $0 }
        var nextStatus = clock.now + Self.statusCheckInterval
        var withheld = false
        while true {
            let wake = nextPing.map { min($0, nextStatus) } ?? nextStatus
            cond.lock()
            while phase != .ended, clock.now < wake {
                // NSCondition takes a wall-clock Date: short slices keep a clock step harmless.
                _ = cond.wait(until: Date().addingTimeInterval(min(wake - clock.now, .milliseconds(50)).inSeconds))
            }
            let current = phase
            cond.unlock()
            if current == .ended { break }

            let now = clock.now
            if let due = nextPing, now >= due, let interval = pingInterval {
                let t = ticks()
                let stalled = t == lastTicks ? "control loop" : stalledThread()
                if let stalled {
                    if !withheld { logger.error("\(stalled) stalled: watchdog pings withheld, systemd will restart treadd") }
                    withheld = true
                } else {
                    send("WATCHDOG=1")
                    if withheld { logger.notice("every safety thread ticking again: watchdog pings resumed") }
                    withheld = false
                }
                lastTicks = t
                nextPing = due + interval
                if nextPing! < now { nextPing = now + interval }
            }
            if now >= nextStatus {
                let line = statusLine()
                if line != lastLine, current == .ready {
                    send("STATUS=\(line)")
                    lastLine = line
                }
                nextStatus = now + Self.statusCheckInterval
            }
        }
        cond.lock()
        finished = true
        cond.broadcast()
        cond.unlock()
    }
}
