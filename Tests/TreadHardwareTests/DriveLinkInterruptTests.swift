import Foundation
import Logging
import Testing
import TreadTesting
import TreadCore
@testable import TreadHardware

/// A stop waits behind at most the one transaction on the wire: a real `DriveLink` with a
/// real `ModbusDrive` over libmodbus against the in-process simulator, whose own log says
/// in what order the requests arrived. Every answer is made late (`late 40`), so each
/// transaction takes long enough for the test to submit the stop while one is in flight.
@Suite(.serialized) struct DriveLinkInterruptTests {
    let logger = Logger(label: "test.drive-link-interrupt")

    /// One request as the simulator logged it on arrival.
    struct Request: CustomStringConvertible {
        var fc: Int
        var address: UInt16
        var values: [UInt16]
        var isWrite: Bool { fc == 6 || fc == 16 }
        var description: String { "fc\(fc) \(hex(address)) \(values.map(hex))" }
    }

    static func requests(_ path: String) -> [Request] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  obj["kind"] as? String == "request", let fc = obj["fc"] as? Int, let a = obj["address"] as? Int
            else { return nil }
            return Request(fc: fc, address: UInt16(a), values: (obj["values"] as? [Int] ?? []).map { UInt16($0) })
        }
    }

    static func profile(_ file: String) throws -> DriveProfile {
        try DriveProfile.load(path: PackagePaths.root.appendingPathComponent("Config/drives/\(file)").path)
    }

    func link(_ profile: DriveProfile, _ settings: ModbusSettings, pollInterval: Duration) -> DriveLink {
        DriveLink(pollInterval: pollInterval, setpointLifetime: .seconds(30), logger: logger) {
            ModbusDrive(profile: profile, settings: settings, calibration: BeltCalibration(kmhPerHz: 0.5), acceleration: 3, deceleration: 5)
        }
    }

    func online(_ link: DriveLink, _ match: (DriveReport) -> Bool = { _ in true }) -> Bool {
        eventually { if case .online(let r) = link.currentFeedback { return match(r) } else { return false } }
    }

    /// ATV320: a fault reset is the reset and release writes, then the three-step DRIVECOM
    /// sequence, each step awaited on the status word. A stop that comes while the reset's
    /// first write is on the wire goes out next; the sequence is abandoned, not finished first.
    @Test func aStopDuringAFaultResetIsWrittenBeforeTheSequenceCompletes() throws {
        let atv = try Self.profile("schneider-atv320.toml")
        let folder = try TempFolder()
        defer { folder.remove() }
        let log = folder.url.appendingPathComponent("sim.jsonl").path
        let sim = try SimulatorHarness(profile: atv, log: log)
        defer { try? sim.stop() }
        let link = link(atv, sim.settings, pollInterval: .milliseconds(20))
        link.start()
        defer { link.shutdown() }
        #expect(online(link))
        #expect(sim.paused { $0.control("trip 16") } == "ok")
        #expect(online(link) { $0.fault != nil }, "the trip is seen")
        #expect(sim.paused { $0.control("late 40") } == "ok")

        link.submit(.stop, resetFault: true)
        let isReset = { (r: Request) in r.isWrite && r.address == atv.faultResetRegister && r.values == [atv.faultResetValue] }
        var resetAt = 0
        #expect(eventually(every: .milliseconds(2)) {
            guard let i = Self.requests(log).firstIndex(where: isReset) else { return false }
            resetAt = i
            return true
        }, "the fault reset reached the drive")
        let seen = Self.requests(log).count
        link.stopNow()

        let isStop = { (r: Request) in r.isWrite && r.address == atv.commandRegister && r.values == [atv.stop] }
        var all: [Request] = []
        #expect(eventually { all = Self.requests(log); return all[seen...].contains(where: isStop) }, "the stop was written")
        guard let stop = all[seen...].firstIndex(where: isStop) else { return }
        let between = all[(resetAt + 1)..<stop]
        // The sequence's second step (0x0007, switch on) comes before its last (0x010F, the
        // same word as the stop): not written means the sequence had not completed.
        let secondStep = atv.startSequence[1]
        #expect(!between.contains { $0.isWrite && $0.address == secondStep.register && $0.values == [secondStep.value] },
                "the sequence went on before the stop: \(between)")
        #expect(stop - seen <= 1, "at most the one transaction after the stop was submitted: \(all[seen...stop])")
        #expect(sim.paused { $0.control("late off") } == "ok")
    }

    /// ACS580: status is three reads of one register each (SW, Act1, and the fault code at
    /// 04.01, too far away for one block). A stop submitted during the first read is written
    /// next, not after the other two.
    @Test func aStopDuringAMultiRegisterStatusReadIsWrittenAfterAtMostOneMoreTransaction() throws {
        let abb = try Self.profile("abb-acs580.toml")
        #expect(StatusReadPlan(abb).blockCount == 0 && abb.statusRegisters.count >= 3, "a status read of several transactions")
        let folder = try TempFolder()
        defer { folder.remove() }
        let log = folder.url.appendingPathComponent("sim.jsonl").path
        let sim = try SimulatorHarness(profile: abb, log: log)
        defer { try? sim.stop() }
        // Polls back to back, so a status read is nearly always in flight.
        let link = link(abb, sim.settings, pollInterval: .zero)
        link.start()
        defer { link.shutdown() }
        #expect(online(link))
        #expect(sim.paused { $0.control("late 40") } == "ok")

        let first = abb.statusRegisters[0]
        for attempt in 1...3 {
            var seen = 0
            #expect(eventually(every: .milliseconds(2)) {
                let all = Self.requests(log)
                seen = all.count
                return all.last.map { $0.fc == 3 && $0.address == first } ?? false
            }, "a status read began")
            link.stopNow()
            let isStop = { (r: Request) in r.isWrite && r.address == abb.commandRegister && r.values == [abb.stop] }
            var all: [Request] = []
            #expect(eventually { all = Self.requests(log); return all[seen...].contains(where: isStop) }, "the stop was written")
            guard let stop = all[seen...].firstIndex(where: isStop) else { return }
            #expect(stop - seen <= 1, "attempt \(attempt): the stop waited behind \(all[seen..<stop])")
        }
        #expect(sim.paused { $0.control("late off") } == "ok")
    }
}
