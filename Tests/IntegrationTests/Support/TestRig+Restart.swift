import Foundation
import Glibc

extension TestRig {
    /// The rig's history database (treadd.toml's `[history] path`, relative to the config).
    var historyPath: String { dir + "/history.sqlite" }

    /// Kills treadd with SIGKILL, as a crash or power loss would: no controlled stop, no flush.
    func killDaemon() throws {
        kill(daemon.process.processIdentifier, SIGKILL)
        _ = try daemon.waitForExit(timeout: 20)
    }

    /// Starts treadd again on the same config, drive and history.
    func restartDaemon() throws {
        daemon = try ManagedProcess(Binaries.path("treadd"), ["--config", dir + "/treadd.toml", "--allow-simulated-inputs"])
        try daemon.waitForLine("treadd ready") { $0.contains("treadd ready") }
    }
}
