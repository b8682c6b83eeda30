import CGPIOD
import Foundation
import Glibc
import Synchronization
import TreadCore

/// The safety inputs read from GPIO lines through libgpiod v2, on a dedicated thread that
/// polls the line requests' file descriptors (and an eventfd that stops it). Edges carry the
/// kernel's CLOCK_MONOTONIC timestamp.
///
/// A request that fails at run time (chip removed, read error, a liveness read that fails)
/// reports each of its lines `lost`, is released, and is retried with backoff; once the lines
/// are back they are reported `restored` with their level. Nothing here decides whether the
/// belt may run: that is the monitor's and the core's job.
///
/// The thread stores a heartbeat on every wake of its poll (at least every 500 ms), and if
/// it ends for any reason but `stop()`, it first reports every line lost with the reason
/// (the errno of a failed poll), so its last readings are never kept as if still true.
public final class GPIOInputs: SafetyInputSource, @unchecked Sendable {
    public let specs: [InputLine: GPIOLineSpec]
    public var lines: Set<InputLine> { Set(specs.keys) }
    public var isSimulated: Bool { false }

    /// How often a live request is read as a liveness check when no edge arrives.
    static let livenessInterval: Int32 = 500
    static let retryInterval = Duration.seconds(1)

    /// A pipe: a byte written to `wake.1` ends the thread's poll.
    private let wake: (Int32, Int32)
    private let started = Atomic<Bool>(false)
    /// Monotonic ns of the thread's last wake; 0 before it runs.
    private let beat = Atomic<Int64>(0)
    private let finished = NSCondition()
    private var isFinished = false

    private let realtime: RealtimePriority?
    private let onRealtimeRefused: (@Sendable (RealtimePriorityError) -> Void)?

    /// - Parameter realtime: the input thread's SCHED_FIFO priority (nil: normal priority);
    ///   `onRealtimeRefused` hears once, from that thread, when the kernel refuses it.
    public init(_ specs: [InputLine: GPIOLineSpec], realtime: RealtimePriority? = nil,
                onRealtimeRefused: (@Sendable (RealtimePriorityError) -> Void)? = nil) {
        self.specs = specs
        self.realtime = realtime
        self.onRealtimeRefused = onRealtimeRefused
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        wake = (fds[0], fds[1])
    }

    deinit {
        close(wake.0)
        close(wake.1)
    }

    /// Resolves and requests every line; throws naming the line that cannot be had, so a
    /// daemon with a miswired config refuses to start.
    public func start(_ sink: @escaping @Sendable (InputEvent) -> Void) throws(InputSourceError) {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { throw .alreadyStarted }
        var groups: [Group] = []
        do throws(GPIOError) {
            groups = try Self.request(specs)
        } catch {
            started.store(false, ordering: .releasing)
            throw .gpio(error)
        }
        let now = MonotonicClock.now()
        for g in groups {
            for (line, resolved) in g.members {
                let v = (try? g.request!.value(resolved)) ?? false
                sink(.edge(line, permissive: v, at: now))
            }
        }
        let handoff = Handoff(groups)
        let t = Thread { [self] in
            if let realtime, let refused = realtime.applyToCurrentThread() { onRealtimeRefused?(refused) }
            run(handoff.groups, sink)
        }
        t.name = "treadd-gpio"
        t.qualityOfService = .userInteractive
        t.start()
    }

    public var heartbeat: Instant? {
        let n = beat.load(ordering: .relaxed)
        return n == 0 ? nil : Instant(nanoseconds: n)
    }

    public func stop() {
        guard started.load(ordering: .acquiring) else { return }
        var one: UInt8 = 1
        _ = write(wake.1, &one, 1)
        finished.lock()
        while !isFinished { finished.wait() }
        finished.unlock()
    }

    /// Carries the requests to the thread that owns them from then on.
    private final class Handoff: @unchecked Sendable {
        let groups: [Group]
        init(_ g: [Group]) { groups = g }
    }

    /// The lines of one chip and their request; `request` is nil while lost.
    struct Group {
        var chipPath: String
        var members: [(InputLine, ResolvedLine)]
        var request: GPIOLineRequest?
        var retryAt: ContinuousClock.Instant?
    }

    static func request(_ specs: [InputLine: GPIOLineSpec]) throws(GPIOError) -> [Group] {
        var byChip: [String: [(InputLine, ResolvedLine)]] = [:]
        for line in InputLine.allCases {
            guard let spec = specs[line] else { continue }
            let r = try spec.resolve()
            byChip[r.chipPath, default: []].append((line, r))
        }
        var groups: [Group] = []
        for (path, members) in byChip.sorted(by: { $0.key < $1.key }) {
            let req = try GPIOLineRequest(members.map(\.1), kind: .inputs)
            groups.append(Group(chipPath: path, members: members, request: req))
        }
        return groups
    }

    private func run(_ initial: [Group], _ sink: @Sendable (InputEvent) -> Void) {
        var groups = initial
        let clock = ContinuousClock()
        var ending: String? = nil
        loop: while true {
            beat.store(MonotonicClock.now().nanoseconds, ordering: .relaxed)
            var fds = [pollfd(fd: wake.0, events: Int16(POLLIN), revents: 0)]
            var owners: [Int] = []
            for (i, g) in groups.enumerated() {
                if let r = g.request {
                    fds.append(pollfd(fd: r.fd, events: Int16(POLLIN), revents: 0))
                    owners.append(i)
                }
            }
            let n = poll(&fds, nfds_t(fds.count), Self.livenessInterval)
            if n < 0 {
                let e = errno
                if e == EINTR { continue }
                ending = "the input thread's poll failed: \(String(cString: strerror(e))) (errno \(e))"
                break loop
            }
            if fds[0].revents != 0 { break loop }
            for (k, i) in owners.enumerated() {
                let rev = Int32(fds[k + 1].revents)
                guard let req = groups[i].request else { continue }
                if rev & (POLLERR | POLLHUP | POLLNVAL) != 0 {
                    lose(&groups[i], "GPIO chip \(groups[i].chipPath) went away", sink, clock)
                    continue
                }
                if rev & POLLIN != 0 {
                    do throws(GPIOError) {
                        for e in try req.readEdges() {
                            guard let line = groups[i].members.first(where: { $0.1.offset == e.offset })?.0 else { continue }
                            sink(.edge(line, permissive: e.active, at: Instant(nanoseconds: Int64(e.ns))))
                        }
                    } catch {
                        lose(&groups[i], "reading \(groups[i].chipPath) failed: \(error)", sink, clock)
                    }
                } else if n == 0, let first = groups[i].members.first {
                    // Liveness: a chip that vanished without waking poll still fails a read.
                    if (try? req.value(first.1)) == nil { lose(&groups[i], "GPIO chip \(groups[i].chipPath) does not answer", sink, clock) }
                }
            }
            for i in groups.indices where groups[i].request == nil {
                guard let at = groups[i].retryAt, clock.now >= at else { continue }
                let specs = Dictionary(uniqueKeysWithValues: groups[i].members.map { ($0.0, $0.1.spec) })
                if let fresh = try? Self.request(specs), fresh.count == 1, let req = fresh[0].request {
                    groups[i] = fresh[0]
                    for (line, r) in groups[i].members {
                        sink(.restored(line, permissive: (try? req.value(r)) ?? false, at: MonotonicClock.now()))
                    }
                } else {
                    groups[i].retryAt = clock.now + Self.retryInterval
                }
            }
        }
        if let ending {
            // Nothing reads these lines any more: say so before the thread is gone.
            let now = MonotonicClock.now()
            for g in groups { for (line, r) in g.members { sink(.lost(line, reason: "\(r): \(ending)", at: now)) } }
        }
        for i in groups.indices { groups[i].request = nil }
        finished.lock()
        isFinished = true
        finished.broadcast()
        finished.unlock()
    }

    private func lose(_ g: inout Group, _ reason: String, _ sink: @Sendable (InputEvent) -> Void, _ clock: ContinuousClock) {
        g.request = nil
        g.retryAt = clock.now + Self.retryInterval
        let now = MonotonicClock.now()
        for (line, r) in g.members { sink(.lost(line, reason: "\(r): \(reason)", at: now)) }
    }
}
