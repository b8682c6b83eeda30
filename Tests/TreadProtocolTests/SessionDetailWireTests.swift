import Foundation
import Testing
import TreadProtocol

/// `history.session`'s request and reply on the wire: snake_case keys, as docs/protocol.md lists them.
@Suite struct SessionDetailWireTests {
    @Test func theRequestCarriesTheSessionIdAsAPlainParam() throws {
        let line = LineCoding.encode(Request(id: 7, method: .historySession, params: Params(session: "3f2a9c1d")))
        #expect(line.contains(#""method":"history.session""#))
        #expect(line.contains(#""params":{"session":"3f2a9c1d"}"#), "\(line)")
        #expect(Method.historySession.access == .read)
    }

    @Test func theReplyDecodesWithItsSegmentsAndEvents() throws {
        let line = """
            {"id":7,"result":{"session":{"session":{"id":"3f2a9c1d-0000","program":"demo","member":null,"started_at":1700000000,\
            "ended_at":1700000100,"outcome":"interrupted","planned_s":600,"forward_s":50,"reverse_s":20,"forward_m":40,"reverse_m":10,\
            "kcal_estimate":null,"segments":1,"notes":[]},"title":"Demo","planned_reverse_s":120,"updated_at":1700000100,\
            "segments":[{"index":0,"role":"warmup","direction":"forward","speed_kmh":3,"incline_pct":null,"planned_s":60,\
            "started_at":1700000000,"ended_at":1700000060,"forward_s":50,"reverse_s":0,"forward_m":40,"reverse_m":0,\
            "kcal_estimate":null,"outcome":"completed"}],"events":[{"at":1700000030,"kind":"pause","code":"rails_released","message":"rails released"}]}}}
            """
        let m = try LineCoding.decode(ServerMessage.self, from: line)
        let d = try #require(m.result?.session)
        #expect(d.session.outcome == "interrupted" && d.title == "Demo" && d.plannedReverseS == 120 && d.updatedAt == 1_700_000_100)
        #expect(d.segments.first?.speedKmh == 3 && d.segments.first?.role == "warmup" && d.segments.first?.endedAt == 1_700_000_060)
        #expect(d.events.first?.code == "rails_released")
        // And back: the same keys.
        let again = LineCoding.encode(d)
        for key in ["\"planned_reverse_s\"", "\"updated_at\"", "\"speed_kmh\"", "\"started_at\"", "\"forward_m\""] {
            #expect(again.contains(key), "\(key) in \(again)")
        }
    }
}
