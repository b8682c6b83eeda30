import Foundation
import TreadProtocol

/// A real treadsim + treadd pair in a temporary folder, reached through the real treadctl.
final class TestRig {
    /// `noisyRTU`: RTU through a `NoisyLine` (bit flips at a rate the test sets) instead of socat.
    enum Transport { case tcp, rtu, noisyRTU }

    let dir: String
    let socket: String
    let simLogPath: String
    /// treadsim's fault-injection socket (`inject`).
    let controlPath: String
    /// The drive profile both treadsim and treadd use.
    let profilePath: String
    var sim: ManagedProcess!
    var daemon: ManagedProcess!
    var socat: ManagedProcess?
    /// The line between treadd and treadsim, for `.noisyRTU`.
    private(set) var line: NoisyLine?
    private var watchers: [ManagedProcess] = []

    /// A short program: forward, reverse, forward, a few seconds each.
    static let shortProgram = forwardReverseForward(title: "integration: forward, reverse, forward", lastForward: "2s")

    /// Forward 3 s, reverse 3 s, then forward for `lastForward` (a long one to inject faults
    /// into, or to kill the daemon in).
    static func forwardReverseForward(title: String, lastForward: String) -> String {
        """
        title = "\(title)"
        [[steps]]
        direction = "forward"
        speed_kmh = 2.0
        duration = "3s"
        [[steps]]
        direction = "reverse"
        speed_kmh = 1.5
        duration = "3s"
        [[steps]]
        direction = "forward"
        speed_kmh = 2.0
        duration = "\(lastForward)"
        """
    }

    /// One long forward stretch, to inject faults into while the belt runs.
    static let longForward = """
        title = "integration: long forward"
        [[steps]]
        direction = "forward"
        speed_kmh = 2.0
        duration = "120s"
        """

    /// A long reverse stretch, for interlock scenarios.
    static let longReverse = """
        title = "integration: long reverse"
        [[steps]]
        direction = "forward"
        speed_kmh = 1.5
        duration = "1s"
        [[steps]]
        direction = "reverse"
        speed_kmh = 2.0
        duration = "60s"
        [[steps]]
        direction = "forward"
        speed_kmh = 1.5
        duration = "1s"
        """

    /// - Parameter profile: the drive profile file for treadsim and treadd (default: the shipped Delta MS300).
    /// - Parameter environment: added to treadd's environment (NOTIFY_SOCKET, WATCHDOG_USEC).
    /// - Parameter socketGroup: `[daemon] socket_group` (default: treadd's default, `treadmill`).
    init(transport: Transport = .tcp, startDrive: Bool = true, programs: [String: String] = ["short": TestRig.shortProgram, "long-reverse": TestRig.longReverse],
         profile: String = Binaries.packageRoot + "/Config/drives/delta-ms300.toml", environment: [String: String] = [:],
         socketGroup: String? = nil) throws {
        dir = NSTemporaryDirectory() + "treadd-it-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir + "/programs", withIntermediateDirectories: true)
        for (name, text) in programs { try text.write(toFile: "\(dir)/programs/\(name).toml", atomically: true, encoding: .utf8) }
        socket = dir + "/treadd.sock"
        simLogPath = dir + "/sim.jsonl"
        controlPath = dir + "/sim.ctl"
        profilePath = profile

        var driveSection: String
        switch transport {
        case .tcp:
            var port = 1  // a port nothing listens on, when the drive is not started
            if startDrive {
                sim = try ManagedProcess(Binaries.path("treadsim"), ["--profile", profile, "--tcp", "127.0.0.1:0", "--log", simLogPath, "--control", controlPath])
                let line = try sim.waitForLine("treadsim listening") { $0.contains(" on tcp ") }.line
                port = Int(line.split(separator: ":").last!.split(separator: " ").first!)!
            }
            driveSection = "transport = \"tcp\"\nhost = \"127.0.0.1\"\nport = \(port)"
        case .rtu, .noisyRTU:
            let a = dir + "/pty-drive", b = dir + "/pty-treadd"
            if transport == .noisyRTU {
                line = try NoisyLine(in: dir)
            } else {
                socat = try ManagedProcess("/usr/bin/socat", ["-d", "-d", "pty,raw,echo=0,link=\(a)", "pty,raw,echo=0,link=\(b)"])
                try socat!.waitForLine("socat PTY pair") { $0.contains("starting data transfer loop") }
            }
            sim = try ManagedProcess(Binaries.path("treadsim"), ["--profile", profile, "--rtu", a, "--baud", "38400", "--log", simLogPath, "--control", controlPath])
            try sim.waitForLine("treadsim listening") { $0.contains(" on rtu ") }
            driveSection = "transport = \"rtu\"\ndevice = \"\(b)\"\nbaud = 38400\nparity = \"N\""
        }
        let config = """
            [daemon]
            socket = "\(socket)"
            \(socketGroup.map { "socket_group = \"\($0)\"" } ?? "")
            programs = "programs"
            control_hz = 25
            [drive]
            profile = "\(profile)"
            \(driveSection)
            unit = 1
            poll_ms = 40
            response_timeout_ms = \(Self.responseTimeoutMs)
            [belt]
            kmh_per_hz = 0.3333
            [limits]
            max_forward_kmh = 10.0
            max_reverse_kmh = 4.0
            start_kmh = 1.0
            accel_kmh_per_s = 2.5
            decel_kmh_per_s = 3.0
            direction_dwell_s = 1.0
            rail_grace_s = 1.0
            [inputs]
            source = "simulated"
            [history]
            path = "history.sqlite"
            """
        try config.write(toFile: dir + "/treadd.toml", atomically: true, encoding: .utf8)
        daemon = try ManagedProcess(Binaries.path("treadd"), ["--config", dir + "/treadd.toml", "--allow-simulated-inputs"], environment: environment)
        try daemon.waitForLine("treadd ready") { $0.contains("treadd ready") }
    }

    deinit {
        for w in watchers { w.terminate() }
        daemon?.terminate()
        sim?.terminate()
        socat?.terminate()
        line?.close()
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Runs treadctl against this rig's socket.
    @discardableResult
    func ctl(_ args: String..., timeout: Double = 60) throws -> (code: Int32, stdout: String, stderr: String) {
        try run(Binaries.path("treadctl"), args + ["--socket", socket], timeout: timeout)
    }

    func ctlChecked(_ args: String...) throws -> String {
        let r = try run(Binaries.path("treadctl"), args + ["--socket", socket])
        guard r.code == 0 else { throw TestFailure.failed("treadctl \(args.joined(separator: " ")) exited \(r.code): \(r.stderr)") }
        return r.stdout
    }

    /// A `treadctl watch --json` stream: tests await messages on it.
    func watch() throws -> EventStream {
        let p = try ManagedProcess(Binaries.path("treadctl"), ["watch", "--json", "--socket", socket])
        watchers.append(p)
        return EventStream(process: p)
    }

    /// Sends one command to treadsim's control socket and returns its answer line.
    @discardableResult
    func inject(_ command: String) throws -> String {
        try SimControl.send(command, to: controlPath)
    }

    func simLog() throws -> SimLog {
        sim.terminate()  // flushes and closes the log
        return try SimLog(path: simLogPath)
    }
}

/// Parsed messages from `treadctl watch --json`.
final class EventStream {
    let process: ManagedProcess
    private var cursor = 0

    init(process: ManagedProcess) { self.process = process }

    /// Waits for the next message (after the previous match) satisfying `predicate`.
    @discardableResult
    func next(_ what: String, timeout: Double = 30, _ predicate: @escaping (ServerMessage) -> Bool) throws -> ServerMessage {
        let (i, line) = try process.waitForLine(timeout: timeout, from: cursor, what) { line in
            guard let m = try? LineCoding.decode(ServerMessage.self, from: line) else { return false }
            return predicate(m)
        }
        cursor = i + 1
        return try LineCoding.decode(ServerMessage.self, from: line)
    }

    @discardableResult
    func awaitStatus(_ what: String, timeout: Double = 30, _ predicate: @escaping (Status) -> Bool) throws -> Status {
        try next(what, timeout: timeout) { m in m.status.map(predicate) ?? false }.status!
    }
}
