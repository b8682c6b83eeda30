import Foundation
import Testing
import TreadProtocol
import TreadSync
import TreadTesting
@testable import TreadDaemon

/// What treadsync keeps of the members' summaries is what treadd reads, and nothing else.
@Suite struct MemberSummaryFolderTests {
    @Test func aKeptSummaryIsWhatTreaddReads() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let folder = MemberSummaryFolder(path: dir.path + "/members")
        let summary = FleetMemberSummary(member: "Anna", asOf: 1_800_000_000, sessions: [
            .init(id: "s1", machine: "tm-a", startedAt: 1_799_990_000, movingS: 600, reverseS: 60, distanceM: 900),
        ])
        #expect(try folder.keep(Array(JSONEncoder().encode(summary))) == "Anna")
        let read = FleetMemberFiles(directory: folder.path).sessions(of: "anna", now: 1_800_000_100)
        #expect(read.sessions == summary.sessions)
        #expect(read.warning == nil)
    }

    @Test func notASummaryIsRefusedAndNothingIsWritten() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let folder = MemberSummaryFolder(path: dir.path + "/members")
        for payload in [Array("not json".utf8), Array(#"{"v":2,"member":"anna","as_of":1,"sessions":[]}"#.utf8),
                        Array(#"{"v":1,"member":"","as_of":1,"sessions":[]}"#.utf8),
                        [UInt8](repeating: 0x20, count: FleetMemberSummary.maxBytes + 1)] {
            #expect(throws: MemberSummaryFolder.Refusal.self) { try folder.keep(payload) }
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }
}
