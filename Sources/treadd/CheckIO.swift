import ArgumentParser
import Foundation
import TreadCore
import TreadDaemon
import TreadHardware

/// Wiring a machine: shows each safety input's state, then every edge as it happens.
struct CheckIO: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-io",
        abstract: "Show the configured safety inputs' live states and edges, for wiring a machine.",
        discussion: """
            Requests the lines in [io] itself, so stop the service first (systemctl stop
            treadd): a line has one consumer. The drive-enable output is requested and left
            de-energised. Press Ctrl-C to end; --once prints the states and exits.
            Exit status: 0, or 1 when a line cannot be found or requested.
            """)

    @Option(help: "Configuration file naming the lines.")
    var config: String = "/etc/treadd/treadd.toml"

    @Flag(help: "Print the current states and exit.")
    var once = false

    @Option(help: "Stop after this many edges (for scripts).")
    var edges: Int?

    func run() throws {
        let cfg = try loadConfig(config, allowSimulatedInputs: true)
        guard let io = cfg.io else {
            print("inputs are simulated in \(config): nothing to wire ([inputs] source = \"simulated\")")
            return
        }
        if FileManager.default.fileExists(atPath: cfg.socketPath), SocketProbe.isLive(cfg.socketPath) {
            FileHandle.standardError.write(Data("treadd: treadd is running (socket \(cfg.socketPath)) and holds the lines; stop it first: systemctl stop treadd\n".utf8))
            throw ExitCode(1)
        }
        // libgpiod blocks in the kernel: the whole check runs on a thread of its own.
        let outcome: Result<Void, ErrorMessage> = onDedicatedThread { Self.watch(io, once: once, edges: edges) }
        if case .failure(let e) = outcome {
            FileHandle.standardError.write(Data("treadd: \(e)\n".utf8))
            throw ExitCode(1)
        }
    }

    static func watch(_ io: IOConfig, once: Bool, edges: Int?) -> Result<Void, ErrorMessage> {
        let resolved: [ResolvedLine]
        let enable: GPIOOutput
        do {
            resolved = try io.resolveAll()
            enable = try GPIOOutput(io.driveEnable)
        } catch { return .failure(ErrorMessage("\(error)")) }
        for r in resolved { print("\(r.spec.role.padding(toLength: 13, withPad: " ", startingAt: 0)) \(r.chipPath) line \(r.offset)") }
        print("drive_enable  \(enable.isEnergised ? "energised" : "de-energised") (held off)")

        let inputs = GPIOInputs(io.inputs)
        let seen = DispatchSemaphore(value: 0)
        let start = MonotonicClock.now()
        nonisolated(unsafe) var initial = io.inputs.count
        do {
            try inputs.start { event in
                let t = String(format: "%9.3f", (event.at - start).inSeconds)
                FileHandle.standardOutput.write(Data("\(t)  \(event.message)\n".utf8))
                if initial > 0 { initial -= 1 } else { seen.signal() }
            }
        } catch { return .failure(ErrorMessage("\(error)")) }
        defer { inputs.stop() }
        if once { return .success(()) }
        if let edges {
            for _ in 0..<edges { seen.wait() }
            return .success(())
        }
        while true { seen.wait() }
    }
}
