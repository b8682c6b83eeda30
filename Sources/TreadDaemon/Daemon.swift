import Foundation
import Synchronization
import Logging
import NIOPosix
import TreadCore
import TreadHardware
import TreadProtocol

/// Wires the parts together: drive link and control loop on their own threads, the socket
/// server on NIO's event loops. Start-up order: drive link, control loop, socket; shutdown
/// is the reverse, with a controlled stop of the belt first.
public final class Daemon: @unchecked Sendable {
    public static let version = "0.1.0"

    public let config: DaemonConfig
    public let drive: DriveLink
    public let control: ControlLoop
    public let inputs: SafetyInputSource
    public let enable: EnableOutput
    public let safety: SafetyMonitor
    public let gate: SafetyGate
    private let warningOutput: EnableOutput?
    private let watchdogOutput: EnableOutput?
    private let logger: Logger
    private let systemd: SystemdEnvironment
    private var group: MultiThreadedEventLoopGroup?
    private var server: SocketServer?
    private var metricsServer: MetricsServer?
    private let shelf = ProgramShelf(ProgramLibrary(empty: ""))
    /// Every program text (the folder's, a client's) is parsed by a helper process through this.
    private let parserDesk: ProgramParserDesk
    /// The workout history's writer (its own thread) and reader queue; nil without [history].
    public let history: HistoryWriter?
    private let historyDesk: HistoryDesk?
    /// Talks to systemd when started by it (`$NOTIFY_SOCKET`); nil otherwise.
    private(set) var notifier: ServiceNotifier?
    /// Set by the first `stop()`; later calls return at once.
    private let stopped = Atomic<Bool>(false)
    /// Counters and gauges for `/metrics`, also when no endpoint is configured (cheap).
    let metrics = DaemonMetrics()

    /// Hardware handed in by benchmarks and tests instead of what the config names. Without
    /// it (the default, and what `treadd` does) the daemon builds everything from the config.
    public struct Parts: Sendable {
        /// Replaces the configured enable output (the GPIO line, or the simulated one).
        public var enable: EnableOutput?
        /// Wraps the configured drive on the drive link's thread (for timing or recording it).
        public var wrapDrive: (@Sendable (any MotorDrive) -> any MotorDrive)?
        /// Replaces the configured enable-watchdog pulse line (or adds one to simulated inputs).
        public var enableWatchdog: EnableOutput?
        /// Replaces the program parser (`ProgramParser.beside()`), for tests of its failures.
        public var programParser: ProgramParser?

        public init(enable: EnableOutput? = nil, wrapDrive: (@Sendable (any MotorDrive) -> any MotorDrive)? = nil,
                    enableWatchdog: EnableOutput? = nil, programParser: ProgramParser? = nil) {
            self.enable = enable
            self.wrapDrive = wrapDrive
            self.enableWatchdog = enableWatchdog
            self.programParser = programParser
        }
    }

    /// Builds every part without starting a thread. With GPIO this requests the output lines
    /// (de-energised) and checks every line exists and is used once: a blocking ioctl, so
    /// call it off the async pool. `hardware` replaces parts of what the config names (for
    /// benchmarks and tests); nil builds everything from the config.
    /// - Parameter systemd: what systemd passed in the environment; `.none` (tests, a shell)
    ///   sends no notifications.
    public init(config: DaemonConfig, logger: Logger, hardware: Parts? = nil, systemd: SystemdEnvironment = .none) throws(DaemonError) {
        self.config = config
        self.logger = logger
        self.systemd = systemd
        parserDesk = ProgramParserDesk(parser: hardware?.programParser ?? .beside())
        try SerialDeviceCheck.check(config.modbus.transport)
        if let io = config.io {
            do { _ = try io.resolveAll() } catch { throw .io(error) }
            do {
                if let injected = hardware?.enable { enable = injected } else { enable = try GPIOOutput(io.driveEnable) }
                warningOutput = try io.warning.map { s throws(GPIOError) in try GPIOOutput(s) }
                if let injected = hardware?.enableWatchdog { watchdogOutput = injected } else {
                    watchdogOutput = try io.enableWatchdog.map { s throws(GPIOError) in try GPIOOutput(s) }
                }
            } catch { throw .io(.gpio(error)) }
            let log = logger
            inputs = GPIOInputs(io.inputs, realtime: config.realtime?.forInputs) { log.warning("input thread: \($0)") }
        } else {
            inputs = SimulatedInputs(config.initialInputs, lines: config.inputLines)
            enable = hardware?.enable ?? SimulatedEnableOutput()
            warningOutput = nil
            watchdogOutput = hardware?.enableWatchdog
        }
        let profile = config.profile, settings = config.modbus, calibration = config.calibration, limits = config.limits
        let wrap = hardware?.wrapDrive
        let metrics = self.metrics
        self.drive = DriveLink(pollInterval: config.pollInterval, setpointLifetime: config.setpointLifetime,
                               missedPolls: config.missedPolls, feedbackBound: config.feedbackBound, realtime: config.realtime, logger: logger,
                               onPoll: { metrics.pollTimes.push($0) }) {
            let drive = ModbusDrive(profile: profile, settings: settings, calibration: calibration,
                                    acceleration: limits.acceleration, deceleration: limits.deceleration)
            return wrap?(drive) ?? drive
        }
        gate = SafetyGate(enable: enable, drive: drive)
        safety = SafetyMonitor(lines: inputs.lines, chatter: config.chatter, gate: gate)
        let treadmill = Treadmill(limits: config.limits, railRule: config.railRule, feedbackBound: config.feedbackBound)
        self.control = ControlLoop(treadmill: treadmill, safety: safety, gate: gate,
                                   enable: enable, warning: warningOutput, enableWatchdog: watchdogOutput, drive: drive, inputs: inputs,
                                   period: config.controlPeriod,
                                   progressInterval: config.progressInterval, logger: logger)
        if let path = config.historyPath {
            let writer = HistoryWriter(path: path, capacity: config.historyQueue, logger: logger)
            history = writer
            historyDesk = HistoryDesk(writer: writer)
            control.attachHistory(writer)
        } else {
            history = nil
            historyDesk = nil
        }
    }

    public func start() throws {
        if config.inputs == .simulated {
            logger.warning("safety inputs are SIMULATED: no e-stop, safety key or rail sensor is read and the enable relay is not driven; for demos and tests only")
        }
        drive.start()
        let safety = self.safety, control = self.control
        do {
            try inputs.start { safety.handle($0) }
        } catch {
            drive.shutdown()
            throw DaemonError.inputs(error)
        }
        // The history opens on its own thread; a broken database never delays the belt.
        history?.start()
        control.start()
        let library = loadPrograms()
        shelf.replace(with: library)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.group = group
        let broadcaster = Broadcaster(loop: group.next())
        let metrics = self.metrics, metricsLoop = group.next(), counting = config.metrics != nil
        // Both hop to the event loop: nothing here runs on the control thread but the hand-off.
        control.onPublish { message in
            broadcaster.publish(message)
            if counting, message.event != .progress { metricsLoop.execute { metrics.observe(message) } }
        }
        // The input thread takes only the control loop's priority-inheriting lock here; the
        // event is published by the control loop's next tick, which this wakes at once.
        safety.onEvent { event, _ in control.wake(with: event) }
        let workout = WorkoutRoutes(control: control, shelf: shelf, parser: parserDesk, limits: config.limits, desk: historyDesk,
                                    fleetMembers: config.fleetMembersPath.map(FleetMemberFiles.init(directory:)), logger: logger)
        let router = RequestRouter(control: control, shelf: shelf, parser: parserDesk, inputs: inputs, broadcaster: broadcaster, workout: workout,
                                   simulatedEnable: enable as? SimulatedEnableOutput)
        do {
            let server = try SocketServer(path: config.socketPath, group: group, router: router, hello: Hello(version: Self.version),
                                          socketGroup: config.socketGroup)
            self.server = server
            logSocketAccess(server.access)
            if let endpoint = config.metrics {
                let drive = self.drive
                metricsServer = try MetricsServer(endpoint: endpoint, group: group) {
                    metrics.render(status: control.status, drive: drive.currentStats, machine: control.machineCounters.counters)
                }
            }
        } catch {
            stop()
            throw error
        }
        control.setLifecycle(.ready)
        logger.info("treadd ready", metadata: ["socket": "\(config.socketPath)", "drive": "\(config.profile.name) at \(config.modbus.transport)",
                                               "programs": "\(library.programs.count)",
                                               "metrics": "\(config.metrics.map { "http://\($0)/metrics" } ?? "off")"])
        startNotifier()
    }

    /// READY=1 goes out only from here: the drive link runs, the inputs are requested and
    /// the socket listens.
    private func startNotifier() {
        guard let address = systemd.notifySocket else { return }
        let socket: NotifySocket
        do { socket = try NotifySocket(address: address) } catch {
            logger.error("cannot notify systemd", metadata: ["error": "\(error)"])
            return
        }
        let control = self.control, shelf = self.shelf
        let drive = self.drive, inputs = self.inputs, driveBound = config.feedbackBound
        let n = ServiceNotifier(socket: socket, watchdog: systemd.watchdog, ticks: { control.tickCount },
                                stalledThread: { Self.stalledThread(drive: drive, driveBound: driveBound, inputs: inputs, at: MonotonicClock.now()) },
                                statusLine: { ServiceStatusLine.make(control.status, programs: shelf.current.programs.count) },
                                logger: logger)
        notifier = n
        n.start()
    }

    /// The safety thread, besides the control loop, whose heartbeat is older than its bound.
    static func stalledThread(drive: DriveLink, driveBound: Duration, inputs: SafetyInputSource, at now: Instant) -> String? {
        if now - drive.heartbeat > driveBound { return "drive thread" }
        if let beat = inputs.heartbeat, now - beat > ControlLoop.inputHeartbeatBound { return "input thread" }
        return nil
    }

    private func loadPrograms() -> ProgramLibrary {
        let library = ProgramLibrary(directory: config.programsDirectory, parser: parserDesk.parser)
        for (name, e) in library.broken { logger.warning("program not loaded", metadata: ["program": "\(name)", "error": "\(e)"]) }
        return library
    }

    private func logSocketAccess(_ access: SocketAccess.Outcome) {
        switch access {
        case .grouped, .noGroupConfigured: break
        case .groupMissing(let g):
            logger.notice("socket group does not exist; the socket keeps treadd's own group", metadata: ["group": "\(g)", "socket": "\(config.socketPath)"])
        case .failed(let g, let e):
            logger.warning("cannot give the socket its group (is treadd a member?)", metadata: ["group": "\(g)", "error": "\(String(cString: strerror(e)))"])
        }
    }

    /// SIGHUP: reads the programs folder again and swaps the library in whole. Limits, the
    /// drive and the wiring are not reloaded (a restart applies them), so nothing that shapes
    /// a running session changes under it; a session already running keeps its program.
    /// Reads the disk: call off the control thread and off the async pool.
    @discardableResult
    public func reloadPrograms() -> Int {
        notifier?.reloading()
        let library = loadPrograms()
        shelf.replace(with: library)
        logger.info("programs reloaded; limits, drive and wiring are not reloaded (restart treadd to apply changes to them)",
                    metadata: ["programs": "\(library.programs.count)", "broken": "\(library.broken.count)", "folder": "\(config.programsDirectory)"])
        notifier?.reloaded()
        return library.programs.count
    }

    /// The port `/metrics` is served on, when metrics are on.
    public var metricsPort: Int? { metricsServer?.port }

    /// The programs the socket server offers now.
    public var programs: ProgramLibrary { shelf.current }

    /// Blocking; call from a plain thread, not the cooperative pool.
    ///
    /// The order is the safety order: control requests are refused from the first step; the
    /// control loop brings the belt to a verified stop while the inputs are still read and
    /// acted on (an e-stop during the ramp still trips); then the drive link writes its last
    /// stop and closes, then the inputs are released, then the socket closes.
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        notifier?.stopping()
        control.shutdown()
        history?.close()
        drive.shutdown()
        do throws(OutputError) { try enable.set(false) } catch {
            logger.critical("drive enable could not be de-energised at shutdown", metadata: ["error": "\(error)"])
        }
        inputs.stop()
        control.setLifecycle(.stopped)
        server?.close()
        metricsServer?.close()
        try? group?.syncShutdownGracefully()
        notifier?.shutdown()
        logger.info("treadd stopped")
    }
}

public enum DaemonError: Error, Sendable, CustomStringConvertible {
    case io(IOConfigError)
    case inputs(InputSourceError)
    case serialDeviceMissing(String)
    case serialDeviceDenied(String)

    public var description: String {
        switch self {
        case .io(let e): return "GPIO wiring: \(e)"
        case .inputs(let e): return "safety inputs: \(e)"
        case .serialDeviceMissing(let p):
            return "serial device \(p) does not exist: is the USB RS-485 adapter plugged in, and does the udev rule (60-treadd.rules) match it? ([drive] device)"
        case .serialDeviceDenied(let p):
            return "no permission to open serial device \(p) (is the user in the dialout group?)"
        }
    }
}
