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

    /// Stops treadd with SIGTERM, as systemd does: a controlled stop, the history flushed.
    func stopDaemon() throws {
        daemon.process.terminate()
        let code = try daemon.waitForExit(timeout: 30)
        guard code == 0 else { throw TestFailure.failed("treadd exited \(code) on SIGTERM") }
    }

    /// Starts treadd again on the same config, drive and history.
    func restartDaemon() throws {
        daemon = try ManagedProcess(Binaries.path("treadd"), ["--config", dir + "/treadd.toml", "--allow-simulated-inputs"])
        try daemon.waitForLine("treadd ready") { $0.contains("treadd ready") }
    }
}
