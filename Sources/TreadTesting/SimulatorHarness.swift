import Foundation
import Synchronization
import TreadCore
import TreadHardware

/// A `SimulatorServer` on 127.0.0.1 (a free port) served by its own thread, as treadsim runs it.
///
/// The simulator's state belongs to the serving thread; `paused` stops that thread, hands
/// the server to the caller, and serves again afterwards (the listening socket and client
/// connections stay open), so tests read the drive's registers without a data race.
public final class SimulatorHarness: @unchecked Sendable {
    public let server: SimulatorServer
    public let port: Int
    private let stopFlag = Atomic<Bool>(false)
    private let done = NSCondition()
    private var serving = false
    private var failure: SimulatorError?

    /// - Parameter log: a JSON Lines file for the simulator's own record of every request.
    public init(profile: DriveProfile, log: String? = nil) throws {
        server = try SimulatorServer(profile: profile, transport: .tcp(host: "127.0.0.1", port: 0), log: log)
        // endpoint: "tcp 127.0.0.1:<bound port>"
        guard let last = server.endpoint.split(separator: ":").last, let p = Int(last), p > 0 else {
            throw SimulatorError("no port in endpoint \(server.endpoint)")
        }
        port = p
        serve()
    }

    public var settings: ModbusSettings {
        ModbusSettings(transport: .tcp(host: "127.0.0.1", port: port), unit: server.unit)
    }

    private func serve() {
        stopFlag.store(false, ordering: .relaxed)
        done.lock(); serving = true; done.unlock()
        let t = Thread { [self] in
            do throws(SimulatorError) { try server.run { stopFlag.load(ordering: .relaxed) } } catch { failure = error }
            done.lock(); serving = false; done.broadcast(); done.unlock()
        }
        t.name = "test-simulator"
        t.start()
    }

    private func halt() {
        stopFlag.store(true, ordering: .relaxed)
        done.lock()
        while serving { done.wait() }
        done.unlock()
    }

    /// Runs `body` with the serving thread stopped.
    public func paused<T>(_ body: (SimulatorServer) throws -> T) rethrows -> T {
        halt()
        defer { serve() }
        return try body(server)
    }

    /// Stops serving for good; the server (and its sockets) go when the harness is released.
    public func stop() throws {
        halt()
        if let failure { throw failure }
    }
}
