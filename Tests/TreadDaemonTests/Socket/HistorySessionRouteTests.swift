import Foundation
import Testing
import TreadTesting
import TreadProtocol
@testable import TreadDaemon

/// `history.session` over the socket: a read anyone may make, its id only ever a bounded,
/// bound SQL argument; every way it can be refused has its own code and a clear message.
@Suite(.serialized) struct HistorySessionRouteTests {
    typealias Rig = SocketServerTests.Rig

    func ask(_ rig: Rig, _ params: String) throws -> ServerMessage {
        let c = try rig.client()
        _ = c.readLine()
        c.send(#"{"id":5,"method":"history.session","params":"# + params + "}\n")
        return try LineCoding.decode(ServerMessage.self, from: try #require(c.readLine(timeout: .seconds(10)), "no reply"))
    }

    @Test func anUnknownTooLongOrMissingIdIsRefusedWithItsCode() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let rig = try Rig { $0.historyPath = dir.path + "/history.sqlite" }
        defer { rig.close() }
        let unknown = try ask(rig, #"{"session":"0123456789abcdef"}"#)
        #expect(unknown.error?.code == .unknownSession)
        #expect(unknown.error?.message.contains("no session '0123456789abcdef'") == true, "\(unknown.error?.message ?? "")")
        let long = try ask(rig, #"{"session":""# + String(repeating: "a", count: 65) + #""}"#)
        #expect(long.error?.code == .badRequest)
        let missing = try ask(rig, "{}")
        #expect(missing.error?.code == .badRequest)
        #expect(missing.error?.message.contains("params.session") == true)
    }

    @Test func withoutAHistoryItIsHistoryOff() throws {
        let rig = try Rig { $0.historyPath = nil }
        defer { rig.close() }
        #expect(try ask(rig, #"{"session":"0123456789abcdef"}"#).error?.code == .historyOff)
    }
}
