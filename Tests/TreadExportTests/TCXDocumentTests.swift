import Foundation
import Testing
import TreadProtocol
import TreadTesting
@testable import TreadExport

/// Every document is checked against Garmin's published schema by xmllint, not by our reading of it.
@Suite struct TCXDocumentTests {
    func validate(_ a: ExportedActivity, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let dir = try TempFolder()
        defer { dir.remove() }
        let text = TCXDocument.render(a)
        let file = try dir.write("session.tcx", text)
        let r = try ExportValidation.validateTCX(file)
        #expect(r.status == 0, "xmllint: \(r.stderr)\n\(text)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains("validates"), sourceLocation: sourceLocation)
        return text
    }

    @Test func aFinishedSessionValidatesWithALapPerSegment() throws {
        let text = try validate(ExportedActivity(SampleSessions.finished))
        #expect(text.contains(#"<Activity Sport="Running">"#))
        #expect(text.components(separatedBy: "<Lap StartTime=").count - 1 == 4)
        #expect(text.contains("<Id>2026-11-30T00:53:20.000Z</Id>"), "\(text.prefix(600))")
        #expect(text.contains("<TriggerMethod>Time</TriggerMethod>"))
        // The title's & and < are escaped, not dropped and not raw.
        #expect(text.contains("Intervals &lt;fwd &amp; back&gt;"))
        #expect(text.contains("Backwards: 47 m of"))
    }

    @Test func walkingIsOtherAndAnInterruptedSessionValidatesAndSaysItWasCutShort() throws {
        let walk = ExportedActivity(SampleSessions.interrupted)
        #expect(walk.sport == .walking)
        let text = try validate(walk)
        #expect(text.contains(#"<Activity Sport="Other">"#))
        #expect(text.contains("Cut short"))
        #expect(text.contains("<TriggerMethod>Manual</TriggerMethod>"), "the lap treadd was killed in")
    }

    /// The check itself must be able to fail: a lap without its required Calories is refused.
    @Test func theSchemaCheckRefusesADocumentMissingARequiredElement() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let broken = TCXDocument.render(ExportedActivity(SampleSessions.finished))
            .replacingOccurrences(of: #"<Calories>\d+</Calories>"#, with: "", options: .regularExpression)
        let r = try ExportValidation.validateTCX(try dir.write("broken.tcx", broken))
        #expect(r.status != 0)
    }

    @Test func numbersAreAlwaysPlainDecimals() {
        #expect(TCXDocument.decimal(1234.5678, 2) == "1234.57")
        #expect(TCXDocument.decimal(0.05, 3) == "0.050")
        #expect(TCXDocument.decimal(.nan, 2) == "0.00")
        #expect(TCXDocument.decimal(-3, 1) == "0.0")
    }
}
