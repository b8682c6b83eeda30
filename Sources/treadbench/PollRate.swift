import Foundation
import TreadCore
import TreadHardware

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// One timed run of one side of the poll-rate comparison.
struct PollRound: Sendable {
    enum Side: String, Sendable { case drive, raw }
    var side: Side
    var polls: Int
    var seconds: Double
    var errors: Int
    /// The polling thread's CPU time in the timed loop (the client side only).
    var cpuSeconds: Double
    var rate: Double { Double(polls) / seconds }
    var cpuMicrosPerPoll: Double { cpuSeconds * 1e6 / Double(max(1, polls)) }
    var json: [String: Any] {
        ["side": side.rawValue, "polls": polls, "seconds": seconds, "errors": errors, "per_second": rate, "cpu_seconds": cpuSeconds,
         "cpu_us_per_poll": cpuMicrosPerPoll]
    }
}

/// raw_poll's READS argument: the reads of one status poll as `ModbusDrive.readReport()`
/// makes them (one block, or one register at a time), `0xADDR:COUNT,...`.
func rawPollReads(_ profile: DriveProfile) -> String {
    profile.statusReads.map { "0x\(String($0.address, radix: 16)):\($0.count)" }.joined(separator: ",")
}

/// (a) `ModbusDrive.readReport()` in a loop on this thread, after `connect()`.
func driveRound(profile: DriveProfile, settings: ModbusSettings, seconds: Double, warmup: Int) throws -> PollRound {
    let drive = ModbusDrive(profile: profile, settings: settings, calibration: benchCalibration, acceleration: 1.0, deceleration: 1.0)
    do throws(DriveError) { try drive.connect() } catch { throw BenchError("drive layer: \(error)") }
    defer { drive.disconnect() }
    for _ in 0..<warmup {
        do throws(DriveError) { _ = try drive.readReport() } catch { throw BenchError("drive layer warm-up: \(error)") }
    }
    var polls = 0, errors = 0
    let cpuStart = threadCPUSeconds()
    let start = monotonicNanos()
    let deadline = start + UInt64(seconds * 1e9)
    var t = start
    while t < deadline {
        do throws(DriveError) {
            _ = try drive.readReport()
            polls += 1
        } catch {
            errors += 1
            if error.needsReconnect { throw BenchError("drive layer: \(error)") }
        }
        t = monotonicNanos()
    }
    return PollRound(side: .drive, polls: polls, seconds: Double(t - start) / 1e9, errors: errors, cpuSeconds: threadCPUSeconds() - cpuStart)
}

/// (b) benchmarks/raw_poll.c, the same reads with libmodbus directly, as a child process.
func rawRound(executable: String, host: String, port: Int, unit: Int, reads: String, seconds: Double, warmup: Int) throws -> PollRound {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = [host, String(port), String(unit), String(seconds), reads, String(warmup)]
    let out = Pipe()
    p.standardOutput = out
    do { try p.run() } catch { throw BenchError("cannot run \(executable): \(error)") }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { throw BenchError("\(executable) exited with status \(p.terminationStatus)") }
    guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
          let polls = (obj["polls"] as? NSNumber)?.intValue, let secs = (obj["seconds"] as? NSNumber)?.doubleValue,
          let errors = (obj["errors"] as? NSNumber)?.intValue, let cpu = (obj["cpu_seconds"] as? NSNumber)?.doubleValue, secs > 0
    else {
        throw BenchError("cannot parse \(executable)'s output: \(String(decoding: data, as: UTF8.self))")
    }
    return PollRound(side: .raw, polls: polls, seconds: secs, errors: errors, cpuSeconds: cpu)
}

struct PollRateResult {
    var rounds: [PollRound]
    func total(_ side: PollRound.Side) -> (polls: Int, seconds: Double, errors: Int, cpuSeconds: Double) {
        rounds.filter { $0.side == side }.reduce((0, 0.0, 0, 0.0)) { ($0.0 + $1.polls, $0.1 + $1.seconds, $0.2 + $1.errors, $0.3 + $1.cpuSeconds) }
    }
    func rate(_ side: PollRound.Side) -> Double { let t = total(side); return Double(t.polls) / t.seconds }
    func cpuMicrosPerPoll(_ side: PollRound.Side) -> Double { let t = total(side); return t.cpuSeconds * 1e6 / Double(max(1, t.polls)) }
    var ratio: Double { rate(.drive) / rate(.raw) }
    /// drive/raw of each (drive, raw) pair in order: their spread shows how noisy the machine was.
    var pairRatios: [Double] {
        stride(from: 0, to: rounds.count - 1, by: 2).map { rounds[$0].rate / rounds[$0 + 1].rate }
    }
    /// The target's figure: a machine whose speed shifts mid-run (shared CPUs) skews the
    /// all-polls ratio towards whichever side ran in the fast spell; the median of adjacent
    /// pairs is robust to a few such shifts.
    var medianPairRatio: Double {
        let r = pairRatios.sorted()
        return r.count % 2 == 1 ? r[r.count / 2] : (r[r.count / 2 - 1] + r[r.count / 2]) / 2
    }
}

/// Alternates A B A B ... so that drift (thermal, other load) hits both sides alike.
func measurePollRate(profile: DriveProfile, settings: ModbusSettings, host: String, port: Int, rawPoll: String,
                     seconds: Double, pairs: Int, warmup: Int) throws -> PollRateResult {
    let reads = rawPollReads(profile)
    var rounds: [PollRound] = []
    for i in 1...pairs {
        let a = try driveRound(profile: profile, settings: settings, seconds: seconds, warmup: warmup)
        progress(String(format: "  round %d drive layer: %.0f polls/s (%d polls in %.2f s, %d errors, %.1f us CPU/poll)", i, a.rate, a.polls, a.seconds, a.errors, a.cpuMicrosPerPoll))
        rounds.append(a)
        let b = try rawRound(executable: rawPoll, host: host, port: port, unit: settings.unit, reads: reads, seconds: seconds, warmup: warmup)
        progress(String(format: "  round %d raw libmodbus: %.0f polls/s (%d polls in %.2f s, %d errors, %.1f us CPU/poll)", i, b.rate, b.polls, b.seconds, b.errors, b.cpuMicrosPerPoll))
        rounds.append(b)
    }
    return PollRateResult(rounds: rounds)
}
