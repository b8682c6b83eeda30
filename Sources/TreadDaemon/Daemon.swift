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
    private let logger: Logger
    private var group: MultiThreadedEventLoopGroup?
    private var server: SocketServer?

    public init(config: DaemonConfig, logger: Logger) {
        self.config = config
        self.logger = logger
        let sim = SimulatedInputs(config.initialInputs)
        self.inputs = sim
        self.enable = SimulatedEnableOutput()
        let profile = config.profile, settings = config.modbus, calibration = config.calibration, limits = config.limits
        self.drive = DriveLink(pollInterval: config.pollInterval, missedPolls: config.missedPolls, logger: logger) {
            ModbusDrive(profile: profile, settings: settings, calibration: calibration,
                        acceleration: limits.acceleration, deceleration: limits.deceleration)
        }
        self.control = ControlLoop(treadmill: Treadmill(limits: config.limits, railRule: config.railRule), inputs: sim,
                                   enable: enable, drive: drive, period: config.controlPeriod, logger: logger)
    }

    public func start() throws {
        if config.inputs == .simulated {
            logger.warning("safety inputs are SIMULATED: no e-stop, safety key or rail sensor is read and the enable relay is not driven; for demos and tests only")
        }
        drive.start()
        control.start()
        let library = ProgramLibrary(directory: config.programsDirectory)
        for (name, e) in library.broken { logger.warning("program not loaded", metadata: ["program": "\(name)", "error": "\(e)"]) }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.group = group
        let broadcaster = Broadcaster(loop: group.next())
        control.onPublish { broadcaster.publish($0) }
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
        control.shutdown()
        drive.shutdown()
        enable.set(false)
        server?.close()
        try? group?.syncShutdownGracefully()
        logger.info("treadd stopped")
    }
}
