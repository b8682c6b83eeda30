import Foundation
import Testing
import TreadProtocol

/// docs/protocol.md is the contract gyms build on: it must name every method, error code and
/// event this version defines, so nothing is added to the types without being documented.
@Suite struct ProtocolDocTests {
    static let doc: String = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/protocol.md")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()

    @Test func documentsEveryErrorCode() {
        #expect(!Self.doc.isEmpty, "docs/protocol.md is readable")
        for code in ErrorCode.documented {
            #expect(Self.doc.contains("| `\(code.rawValue)` |"), "docs/protocol.md has a row for \(code)")
        }
        #expect(Set(ErrorCode.documented).count == ErrorCode.documented.count, "no code listed twice")
    }

    @Test func documentsEveryMethodWithItsAccess() {
        for method in Method.allCases {
            #expect(Self.doc.contains("| `\(method.rawValue)` | \(method.access.rawValue) |"), "docs/protocol.md has \(method.rawValue) as \(method.access)")
        }
    }

    @Test func documentsEveryEventUnderItsCategory() {
        for event in EventName.documented {
            let row = Self.doc.split(separator: "\n").first { $0.hasPrefix("| `\(event.category.rawValue)` |") }
            #expect(row?.contains("`\(event.rawValue)`") == true, "\(event) listed under \(event.category)")
        }
    }

    @Test func controlMethodsAreExactlyThoseThatChangeTheBeltOrInputs() {
        let control = Set(Method.allCases.filter { $0.access == .control })
        #expect(control == [.start, .stop, .pause, .resume, .reset, .simSet,
                            .sessionSkip, .sessionExtend, .sessionAddTime, .sessionNudge, .membersAdd])
    }
}
