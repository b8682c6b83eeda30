import Foundation
import Testing
import TreadFleet
import TreadProtocol

/// The arithmetic and checks that need no database.
@Suite struct PureFleetTests {
    @Test(arguments: [
        (Day.monday23, Day.monday23), (Day.tuesday24At18, Day.monday23), (Day.sunday29At2359, Day.monday23),
        (Day.monday30, Day.monday30), (Day.wednesday2At19, Day.monday30),
        (0, -3 * Day.day), // 1970-01-01 was a Thursday; its week began on Monday 1969-12-29
    ] as [(Double, Double)])
    func weeksStartOnMondayUTC(_ at: Double, _ monday: Double) {
        #expect(UTCWeek.start(of: Date(timeIntervalSince1970: at)).timeIntervalSince1970 == monday)
    }

    @Test func serviceFallsDueAtEachMultipleOfTheInterval() {
        let interval = ServiceInterval(km: 2500)
        #expect(interval.status(beltKm: 2499.9) == .init(due: false, dueAtKm: nil, nextAtKm: 2500))
        #expect(interval.status(beltKm: 2500) == .init(due: true, dueAtKm: 2500, nextAtKm: 5000))
        #expect(interval.status(beltKm: 7600) == .init(due: true, dueAtKm: 7500, nextAtKm: 10_000))
    }

    @Test func aMemberWithNoMovingTimeHasNoBackwardsShare() {
        let session = MemberReport.Session(id: UUID().uuidString.lowercased(), site: "gym1", machine: "tm1", program: "p", title: "t",
                                           startedAt: Date(timeIntervalSince1970: Day.monday23), endedAt: nil, outcome: "stopped",
                                           movingS: 0, reverseS: 0, distanceM: 0, reverseM: 0)
        let report = MemberReport.make(member: "alice", sessions: [session])
        #expect(report.weeks.map(\.reverseShare) == [0])
        #expect(report.weeks.map(\.sessions) == [1])
    }

    @Test func topicsAreFourLevelsEndingInAKind() {
        #expect(FleetTopic("treadd/gym1/tm1/counters") == FleetTopic(site: "gym1", machine: "tm1", kind: .counters))
        #expect(FleetTopic("treadd/gym1/tm1/session") == nil)
        #expect(FleetTopic("treadd//tm1/sessions") == nil)
        #expect(FleetTopic("treadd/gym1/tm1/sessions/extra") == nil)
        #expect(FleetTopic("other/gym1/tm1/sessions") == nil)
    }

    @Test func aValidSessionDecodesWithItsUUID() throws {
        let id = UUID()
        let decoded = try FleetMessageDecoder.decode(topic: Payloads.topic(), payload: Payloads.session(id: id)).get()
        #expect(decoded.id == id)
        guard case .session(let envelope) = decoded.message else { Issue.record("not a session"); return }
        #expect(envelope.body.member == "alice")
    }
}
