import Foundation
import TreadCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The JSON Lines log described on `SimulatorServer`.
extension SimulatorServer {
    struct LoggedState {
        var at: Instant
        var outputHz: Double
        var direction: Direction
        var running: Bool
        var trip: Int
    }

    func seconds(_ now: Instant) -> String {
        String(format: "%.3f", (now - started).inSeconds)
    }

    func hz(_ v: Double) -> String { String(format: "%.2f", v) }

    func writeLine(_ line: String) {
        guard let logFile else { return }
        fputs(line + "\n", logFile)
        fflush(logFile)
    }

    func logRequest(_ now: Instant, fc: Int, address: UInt16, values: [UInt16], before: DriveSimulator) {
        guard logFile != nil else { return }
        let list = values.map(String.init).joined(separator: ",")
        writeLine("{\"t\":\(seconds(now)),\"kind\":\"request\",\"fc\":\(fc),\"address\":\(address),\"values\":[\(list)],"
            + "\"output_hz\":\(hz(before.outputHz)),\"direction\":\"\(before.direction.rawValue)\",\"running\":\(before.isRunning)}")
    }

    func logRefused(_ now: Instant, fc: Int, address: UInt16, exception: Int, before: DriveSimulator) {
        guard logFile != nil else { return }
        writeLine("{\"t\":\(seconds(now)),\"kind\":\"refused\",\"fc\":\(fc),\"address\":\(address),\"exception\":\(exception),"
            + "\"output_hz\":\(hz(before.outputHz)),\"direction\":\"\(before.direction.rawValue)\",\"running\":\(before.isRunning)}")
    }

    func logStateIfNeeded(_ now: Instant) {
        guard logFile != nil else { return }
        let s = LoggedState(at: now, outputHz: simulator.outputHz, direction: simulator.direction,
                            running: simulator.isRunning, trip: simulator.tripCode ?? 0)
        // Reaching standstill is always logged, however small the last step to it.
        if let last = lastState, abs(s.outputHz - last.outputHz) <= 0.05, (hz(s.outputHz) == hz(0)) == (hz(last.outputHz) == hz(0)),
           s.direction == last.direction,
           s.running == last.running, s.trip == last.trip, now - last.at < .milliseconds(500) {
            return
        }
        lastState = s
        writeLine("{\"t\":\(seconds(now)),\"kind\":\"state\",\"output_hz\":\(hz(s.outputHz)),\"direction\":\"\(s.direction.rawValue)\","
            + "\"running\":\(s.running),\"trip\":\(s.trip)}")
    }
}
