import ArgumentParser
import Foundation
import TreadDaemon
import TreadHardware

/// Commissioning: checks the configured drive profile against the live drive.
struct ProbeDrive: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe-drive",
        abstract: "Connect to the configured drive, write and read back its connect-time parameters, and report.",
        discussion: """
            Stop the service first (systemctl stop treadd): the probe writes the drive's
            parameters and a stop command, and an RTU bus has room for one master.
            Exit status: 0 when the profile matches the drive, 1 when it does not.
            """)

    @Option(help: "Configuration file naming the drive, its profile and the bus.")
    var config: String = "/etc/treadd/treadd.toml"

    func run() throws {
        let cfg = try loadConfig(config, allowSimulatedInputs: true)
        if FileManager.default.fileExists(atPath: cfg.socketPath), SocketProbe.isLive(cfg.socketPath) {
            FileHandle.standardError.write(Data("treadd: treadd is running (socket \(cfg.socketPath)); stop it first: systemctl stop treadd\n".utf8))
            throw ExitCode(1)
        }
        let drive = ModbusDrive(profile: cfg.profile, settings: cfg.modbus, calibration: cfg.calibration,
                                acceleration: cfg.limits.acceleration, deceleration: cfg.limits.deceleration)
        // libmodbus blocks: run the probe on a thread of its own, not on the async main's thread pool.
        let report = onDedicatedThread { DriveProbe.run(drive) }
        print("profile:     \(cfg.profilePath)")
        print(report.text)
        if !report.passed { throw ExitCode(1) }
    }
}
