import Foundation
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
    private let logger: Logger
    private var group: MultiThreadedEventLoopGroup?
    private var server: SocketServer?

    /// Hardware handed in by benchmarks and tests instead of what the config names. Without
    /// it (the default, and what `treadd` does) the daemon builds everything from the config.
    public struct Parts: Sendable {
        /// Replaces the configured enable output (the GPIO line, or the simulated one).
        public var enable: EnableOutput?
        /// Wraps the configured drive on the drive link's thread (for timing or recording it).
        public var wrapDrive: (@Sendable (any MotorDrive) -> any MotorDrive)?

        public init(enable: EnableOutput? = nil, wrapDrive: (@Sendable (any MotorDrive) -> any MotorDrive)? = nil) {
            self.enable = enable
            self.wrapDrive = wrapDrive
        }
    }

    /// Builds every part without starting a thread. With GPIO this requests the output lines
    /// (de-energised) and checks every line exists and is used once: a blocking ioctl, so
    /// call it off the async pool. `hardware` replaces parts of what the config names (for
    /// benchmarks and tests); nil builds everything from the config.
    public init(config: DaemonConfig, logger: Logger, hardware: Parts? = nil) throws(DaemonError) {
        self.config = config
        self.logger = logger
        if let io = config.io {
            do { _ = try io.resolveAll() } catch { throw .io(error) }
            do {
                if let injected = hardware?.enable { enable = injected } else { enable = try GPIOOutput(io.driveEnable) }
                warningOutput = try io.warning.map { s throws(GPIOError) in try GPIOOutput(s) }
            } catch { throw .io(.gpio(error)) }
            inputs = GPIOInputs(io.inputs)
        } else {
            inputs = SimulatedInputs(config.initialInputs, lines: config.inputLines)
            enable = hardware?.enable ?? SimulatedEnableOutput()
            warningOutput = nil
        }
        let profile = config.profile, settings = config.modbus, calibration = config.calibration, limits = config.limits
        let wrap = hardware?.wrapDrive
        self.drive = DriveLink(pollInterval: config.pollInterval, missedPolls: config.missedPolls, logger: logger) {
            let drive = ModbusDrive(profile: profile, settings: settings, calibration: calibration,
                                    acceleration: limits.acceleration, deceleration: limits.deceleration)
            return wrap?(drive) ?? drive
        }
        gate = SafetyGate(enable: enable, drive: drive)
        safety = SafetyMonitor(lines: inputs.lines, chatter: config.chatter, gate: gate)
        self.control = ControlLoop(treadmill: Treadmill(limits: config.limits, railRule: config.railRule), safety: safety, gate: gate,
                                   enable: enable, warning: warningOutput, drive: drive, period: config.controlPeriod, logger: logger)
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
        control.start()
        let library = ProgramLibrary(directory: config.programsDirectory)
        for (name, e) in library.broken { logger.warning("program not loaded", metadata: ["program": "\(name)", "error": "\(e)"]) }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.group = group
        let broadcaster = Broadcaster(loop: group.next())
        control.onPublish { broadcaster.publish($0) }
        safety.onEvent { event, _ in
            control.wake()
            broadcaster.publish(ServerMessage(event: "input", message: event.message, status: control.status))
        }
        let router = RequestRouter(control: control, library: library, inputs: inputs, broadcaster: broadcaster)
        do {
            server = try SocketServer(path: config.socketPath, group: group, router: router, hello: Hello(version: Self.version))
        } catch {
            stop()
            throw error
        }
        logger.info("treadd ready", metadata: ["socket": "\(config.socketPath)", "drive": "\(config.profile.name) at \(config.modbus.transport)",
                                               "programs": "\(library.programs.count)"])
    }

    /// Blocking; call from a plain thread, not the cooperative pool.
    public func stop() {
        inputs.stop()
        control.shutdown()
        drive.shutdown()
        enable.set(false)
        server?.close()
        try? group?.syncShutdownGracefully()
        logger.info("treadd stopped")
    }
}

public enum DaemonError: Error, Sendable, CustomStringConvertible {
    case io(IOConfigError)
    case inputs(InputSourceError)

    public var description: String {
        switch self {
        case .io(let e): return "GPIO wiring: \(e)"
        case .inputs(let e): return "safety inputs: \(e)"
        }
    }
}
