import Foundation
import Testing
import TreadProtocol
import TreadTesting
@testable import TreadDaemon

/// treadd's reading of treadsync's member summaries: fresh is counted with no warning, old is
/// counted with one, and anything else is this machine's sessions only, said so.
@Suite struct FleetMemberFilesTests {
    let now = 1_800_000_000.0

    func write(_ dir: TempFolder, _ member: String, _ data: Data) throws {
        try data.write(to: URL(fileURLWithPath: dir.path + "/" + FleetMemberSummary.fileName(member: member)))
    }

    func summary(_ member: String, asOf: Double) throws -> Data {
        try JSONEncoder().encode(FleetMemberSummary(member: member, asOf: asOf, sessions: [
            .init(id: "s1", machine: "tm-a", startedAt: now - 86_400, movingS: 600, reverseS: 60, distanceM: 900),
        ]))
    }

    @Test func aFreshSummaryIsCountedWithoutAWordAndNamesMatchWithoutCase() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        try write(dir, "Anna", try summary("Anna", asOf: now - 60))
        let found = FleetMemberFiles(directory: dir.path).sessions(of: "ANNA", now: now)
        #expect(found.sessions.map(\.id) == ["s1"])
        #expect(found.warning == nil)
    }

    @Test func anOldSummaryIsCountedAndTheMemberIsToldHowOld() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        try write(dir, "anna", try summary("anna", asOf: now - 3 * 86_400))
        let found = FleetMemberFiles(directory: dir.path).sessions(of: "anna", now: now)
        #expect(found.sessions.count == 1)
        #expect(found.warning?.code == "fleet_history")
        #expect(found.warning?.description.contains("72 h old") == true, "\(String(describing: found.warning))")
    }

    @Test(arguments: ["missing", "garbage", "another member", "too large"])
    func anythingElseIsThisMachinesSessionsOnlyAndSaysSo(_ case_: String) throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        switch case_ {
        case "garbage": try write(dir, "anna", Data("{\"v\":1,".utf8))
        case "another member": try write(dir, "anna", try summary("bob", asOf: now))
        case "too large": try write(dir, "anna", Data(repeating: 0x20, count: FleetMemberSummary.maxBytes + 1))
        default: break
        }
        let found = FleetMemberFiles(directory: dir.path).sessions(of: "anna", now: now)
        #expect(found.sessions.isEmpty)
        #expect(found.warning?.code == "fleet_history")
        #expect(found.warning?.description.contains("this machine's sessions only") == true)
    }

    @Test func memberTopicsAndFileNamesCannotBeSteeredByTheName() {
        #expect(FleetMemberSummary.topic(member: "Anna") == "treadfleet/members/anna")
        #expect(FleetMemberSummary.topic(member: "a/b+#%") == "treadfleet/members/a%2Fb%2B%23%25")
        #expect(FleetMemberSummary.fileName(member: "../X") == "2e2e2f78.json")
    }
}
