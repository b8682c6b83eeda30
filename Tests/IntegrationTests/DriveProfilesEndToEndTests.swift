import Foundation
import Testing
import TreadHardware
import TreadProtocol

/// Every shipped drive profile (Config/drives/*.toml but the template, found when the tests
/// run, so a profile added later is covered) drives the short program through treadsim +
/// treadd + treadctl. The drive's log judges: the comm-loss stop was armed before the first
/// run command (a packed comm-loss field by a read-modify-write that kept the register's other
/// bits), and the direction changed only at 0 Hz. Register addresses come from the loaded
/// profile.
///
/// TCP runs for every profile; RTU runs for one profile of each kind of drive (FC06/FC16,
/// with or without a start-up sequence, Delta first) to keep the suite within a few minutes.
/// `TREAD_E2E_PROFILES=DIR` points the suite at another folder of profiles.
@Suite(.serialized)
struct DriveProfilesEndToEndTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var file: String
        var transport: TestRig.Transport
        var testDescription: String { "\((file as NSString).lastPathComponent) over \(transport == .tcp ? "TCP" : "RTU")" }
    }

    static var profileDirectory: String {
        ProcessInfo.processInfo.environment["TREAD_E2E_PROFILES"] ?? Binaries.packageRoot + "/Config/drives"
    }

    /// The profile files, Delta first, then by name.
    static var profileFiles: [String] {
        let dir = profileDirectory
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasSuffix(".toml") && $0 != "template.toml" }
            .sorted { a, b in
                let (da, db) = (a.lowercased().contains("delta"), b.lowercased().contains("delta"))
                return da != db ? da : a < b
            }
            .map { (dir as NSString).appendingPathComponent($0) }
    }

    static var cases: [Case] {
        let files = profileFiles
        var out = files.map { Case(file: $0, transport: .tcp) }
        var kinds: Set<String> = []
        for f in files {
            // A profile that does not load still gets its TCP case, which reports why.
            guard let p = try? DriveProfile.load(path: f) else { continue }
            let kind = "\(p.writeFunction.rawValue)-\(p.startSequence.isEmpty ? "plain" : "sequence")"
            if files.count <= 3 || kinds.insert(kind).inserted { out.append(Case(file: f, transport: .rtu)) }
        }
        return out
    }

    @Test func theShippedProfilesAreFound() {
        #expect(Self.profileFiles.contains { $0.hasSuffix("delta-ms300.toml") } || ProcessInfo.processInfo.environment["TREAD_E2E_PROFILES"] != nil)
        #expect(!Self.profileFiles.contains { $0.hasSuffix("template.toml") })
    }

    @Test(arguments: cases)
    func shortProgram(_ c: Case) throws {
        let profile = try DriveProfile.load(path: c.file)
        let rig = try TestRig(transport: c.transport, profile: c.file)
        let events = try rig.watch()
        try events.awaitStatus("drive online") { $0.drive == "online" }
        _ = try rig.ctlChecked("sim", "set", "rail_left=held", "rail_right=held")
        let follow = try rig.ctl("start", "short", "--follow", timeout: 90)
        #expect(follow.code == 0, "start --follow: \(follow.stderr)")
        #expect(follow.stdout.contains("[direction_change]"))
        #expect(follow.stdout.contains("segment 2/3"), "the follower shows segment progress")

        let log = try rig.simLog()
        #expect(log.refused.isEmpty, "the drive refused requests: \(log.refused.prefix(3).map { "fc \($0.fc ?? 0) at \($0.address ?? 0)" })")
        let commands = log.writes(to: Int(profile.commandRegister))
        let runValues: Set<Int> = [Int(profile.runForward), Int(profile.runReverse)]
        let runs = commands.filter { runValues.contains($0.values.first ?? -1) }
        let firstRun = try #require(runs.first, "no run command reached the drive")

        // The comm-loss stop was armed (and applied, where the drive needs ENTER) before the first run.
        let armedAt: Double
        switch profile.commLoss {
        case .registers(let r):
            let timeoutWrites = log.writes(to: Int(r.timeoutRegister)).filter { $0.t <= firstRun.t && ($0.values.first ?? 0) > 0 }
            let timeoutWrite = try #require(timeoutWrites.first, "comm-loss timeout (register \(hex(r.timeoutRegister))) not written before the first run command")
            #expect(timeoutWrite.values.first == Int(r.timeoutCounts))
            let actionWrites = log.writes(to: Int(r.actionRegister))
                .filter { $0.t <= firstRun.t && $0.values.first == Int(r.actionValue) }
            #expect(!actionWrites.isEmpty, "comm-loss action (register \(hex(r.actionRegister))) not written before the first run command")
            armedAt = timeoutWrite.t
        case .field(let f):
            // A masked read-modify-write of the shared register: read, write it back with the field
            // set and every other bit as treadsim powered up with (its stand-in for the drive's
            // address and baud rate), read back - all before the first run command.
            let requests = log.requests
            func isWrite(_ e: SimLog.Entry) -> Bool { e.fc == 6 || e.fc == 16 }
            let run = try #require(requests.firstIndex { isWrite($0) && $0.address == Int(profile.commandRegister) && runValues.contains($0.values.first ?? -1) })
            let write = try #require(requests.firstIndex { isWrite($0) && $0.address == Int(f.register) },
                                     "comm-loss field (register \(hex(f.register)) bits \(hex(f.mask))) never written")
            #expect(write < run, "comm-loss field written after the first run command")
            #expect(requests[..<write].contains { $0.fc == 3 && $0.address == Int(f.register) }, "the shared register was not read before it was written")
            #expect(requests[write..<run].contains { $0.fc == 3 && $0.address == Int(f.register) }, "the shared register was not read back before the first run")
            let word = UInt16(truncatingIfNeeded: requests[write].values.first ?? 0)
            #expect(f.holds(in: word), "wrote \(hex(word)); bits \(hex(f.mask)) must hold \(hex(f.value))")
            #expect(word & ~f.mask == DriveSimulator.initialWord(for: f) & ~f.mask, "wrote \(hex(word)): the other settings in register \(hex(f.register)) were changed")
            #expect(log.writes(to: Int(f.register)).count == 1, "the shared register is written once, not on every reconnect")
            armedAt = requests[write].t
        }
        if let apply = profile.apply {
            let applies = log.writes(to: Int(apply.register))
                .filter { $0.values.first == Int(apply.value) && $0.t >= armedAt && $0.t <= firstRun.t }
            #expect(!applies.isEmpty, "no apply (ENTER) between the comm-loss timeout write and the first run command")
        }

        // Every run command in a new direction arrived while the drive's output was zero. A
        // drive that reverses by the reference sign is commanded a direction by the sign of
        // the reference written just before the run command, so that write is judged too.
        var last: String? = nil
        var reversals = 0
        var referenceNegative = false
        for r in log.requests where r.fc == 6 || r.fc == 16 {
            if r.address == Int(profile.referenceRegister), profile.reverseBySign, let v = r.values.first, v != 0 {
                let negative = Int16(truncatingIfNeeded: v) < 0
                if negative != referenceNegative {
                    #expect(r.outputHz == 0, "reference sign changed at \(r.outputHz) Hz (t=\(r.t))")
                }
                referenceNegative = negative
            }
            guard r.address == Int(profile.commandRegister), let v = r.values.first, runValues.contains(v) else { continue }
            let direction = profile.reverseBySign ? (referenceNegative ? "reverse" : "forward") : (v == Int(profile.runForward) ? "forward" : "reverse")
            if let l = last, l != direction {
                reversals += 1
                #expect(r.outputHz == 0, "direction change commanded at \(r.outputHz) Hz (t=\(r.t))")
            }
            last = direction
        }
        #expect(reversals == 2, "expected forward -> reverse -> forward, saw \(reversals) changes")
        // And the drive's output changed direction only at rest: the state line logged at a
        // flip is at most one 10 ms tick of ramp away from 0 Hz, and so is the one before it.
        let states = log.states
        for (a, b) in zip(states, states.dropFirst()) where a.direction != b.direction {
            #expect(b.outputHz <= 0.5 && a.outputHz <= 0.5, "direction \(a.direction) -> \(b.direction) at \(a.outputHz) -> \(b.outputHz) Hz (t=\(b.t))")
        }
        #expect(states.contains { $0.direction == "reverse" && $0.outputHz > 3 }, "the belt never ran backwards")
        #expect(states.last?.outputHz == 0)
        #expect(states.allSatisfy { ($0.trip ?? 0) == 0 }, "the drive tripped during the run")
    }
}
