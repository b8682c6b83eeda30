import Foundation
import TreadCore
import TreadHardware
import TreadTesting

/// The drive layer against replies the fuzzer writes: a `ModbusDrive` (real libmodbus) for a
/// shipped profile connects to `ReplyServer`, which answers each request with the next chunk
/// of the input (`ReplyScript`). Connect (safety parameters written and verified), status
/// polls, setpoints and fault resets must end in a result or a typed `DriveError`: never a
/// trap, never a hang, never a report that is not a report (a speed that is not a number).
///
/// Timeouts are short (10 ms for a reply, 3 ms between bytes) so a silent or truncated reply
/// costs little; the drive layer's classification does not depend on their length.
final class ModbusReplyTarget: FuzzTarget {
    private let server: ReplyServer
    private let profiles: [DriveProfile]
    private let calibration = BeltCalibration(kmhPerHz: 0.3333)

    init() {
        do {
            server = try ReplyServer()
            profiles = try Self.shippedProfiles()
        } catch {
            FuzzCheck.fail("cannot set up the modbus-reply target: \(error)")
        }
        if let dir = ProcessInfo.processInfo.environment["TREADFUZZ_RECORD"] {
            record(into: dir)
            _exit(0)  // not exit(): libFuzzer reports an exit during a run as a failure
        }
    }

    static func shippedProfiles() throws -> [DriveProfile] {
        let dir = PackagePaths.root.appendingPathComponent("Config/drives")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".toml") }.sorted()
        return try names.map { try DriveProfile.load(path: dir.appendingPathComponent($0).path) }
    }

    private func makeDrive(_ profile: DriveProfile) -> ModbusDrive {
        let settings = ModbusSettings(transport: .tcp(host: "127.0.0.1", port: server.port), unit: 1,
                                      responseTimeout: .milliseconds(10), byteTimeout: .milliseconds(3))
        return ModbusDrive(profile: profile, settings: settings, calibration: calibration, acceleration: 1, deceleration: 1.5)
    }

    func run(_ bytes: UnsafeRawBufferPointer) {
        let script = ReplyScript(bytes)
        server.load(script.chunks)
        let drive = makeDrive(profiles[script.profileIndex % profiles.count])
        exercise(drive, script)
        drive.disconnect()
        server.waitIdle()
    }

    private func exercise(_ drive: ModbusDrive, _ script: ReplyScript) {
        do { try drive.connect() } catch { check(error); return }
        for op in script.operations {
            do {
                switch op {
                case .poll: check(try drive.readReport())
                case .run: try drive.command(.run(.forward, .kmh(Double(script.speedTenths) / 10)))
                case .stop: try drive.command(.stop)
                case .reset: try drive.resetFault()
                }
            } catch {
                check(error)
            }
        }
    }

    private func check(_ error: DriveError) {
        if error.description.isEmpty { FuzzCheck.fail("a drive error without a message: \(error)") }
    }

    private func check(_ report: DriveReport) {
        let kmh = report.beltSpeed.kmh
        guard kmh.isFinite, kmh >= 0 else { FuzzCheck.fail("status decoded to a belt speed of \(kmh) km/h") }
        if let trip = report.fault, trip.message.isEmpty { FuzzCheck.fail("a drive fault without a message: \(trip)") }
    }

    /// Writes seeds: each shipped profile against the real simulator, through the proxy, for a
    /// few operation sequences; every reply recorded is a well-formed frame to mutate from.
    private func record(into dir: String) {
        let sequences: [[ReplyScript.Operation]] = [[.poll, .run, .poll, .stop], [.poll, .reset, .poll, .poll], [.run, .run, .stop, .poll]]
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for (index, profile) in profiles.enumerated() {
                let sim = try SimulatorHarness(profile: profile)
                for (n, ops) in sequences.enumerated() {
                    server.load([])
                    server.proxy(to: sim.port)
                    let drive = makeDrive(profile)
                    var script = ReplyScript(UnsafeRawBufferPointer(start: nil, count: 0))
                    script.operations = ops
                    script.speedTenths = 50
                    exercise(drive, script)
                    drive.disconnect()
                    server.waitIdle()
                    let bytes = ReplyScript.encode(profileIndex: index, operations: ops, speedTenths: 50, chunks: server.recorded)
                    let name = "\(profile.name.lowercased().filter { $0.isLetter || $0.isNumber })-\(n)"
                    try Data(bytes).write(to: URL(fileURLWithPath: dir).appendingPathComponent(name))
                    server.proxy(to: nil)
                }
                try sim.stop()
            }
        } catch {
            FuzzCheck.fail("recording failed: \(error)")
        }
    }
}
