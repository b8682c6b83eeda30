import Testing
import TreadProtocol
@testable import TreadExport

@Suite struct ExportedActivityTests {
    @Test func aFinishedSessionHasOneLapPerSegmentAddingUpToItsTotals() {
        let d = SampleSessions.finished
        let a = ExportedActivity(d)
        #expect(a.laps.count == 4)
        #expect(!a.cutShort)
        #expect(abs(a.laps.reduce(0) { $0 + $1.distanceM } - (d.session.forwardM + d.session.reverseM)) < 1e-9)
        #expect(a.elapsedS == 420)
        #expect(a.laps.map(\.intensity) == [.warmup, .active, .active, .cooldown])
        #expect(a.laps.allSatisfy { $0.trigger == .time })
        #expect(a.laps[1].description == "segment 2: reverse at 3.0 km/h, 60 s planned; completed")
    }

    @Test func theSportIsRunningWhenMostOfTheBeltTimeIsAtRunningSpeed() {
        #expect(ExportedActivity(SampleSessions.finished).sport == .running, "238 s of 412 at 10 km/h")
        let walk = SampleSessions.detail([SampleSessions.segment(0, "forward", kmh: 5.5, from: SampleSessions.start, seconds: 300),
                                          SampleSessions.segment(1, "forward", kmh: 9.0, from: SampleSessions.start + 300, seconds: 100)])
        #expect(ExportedActivity(walk).sport == .walking)
    }

    @Test func theNotesGiveTheBackwardsDistanceAndShareAndLabelTheEnergyAnEstimate() {
        let a = ExportedActivity(SampleSessions.finished)
        #expect(a.notes.contains("Backwards: 47 m of"), "\(a.notes)")
        #expect(a.notes.contains("% of the time on the moving belt"))
        #expect(a.notes.contains("an estimate"))
        #expect(!a.notes.contains("Cut short"))
        let none = ExportedActivity(SampleSessions.detail([SampleSessions.segment(0, "forward", kmh: 5, from: SampleSessions.start, seconds: 60)], kcal: false))
        #expect(none.kcal == nil)
        #expect(none.notes.contains("not estimated"))
    }

    /// The segment treadd was killed in was never written; its checkpointed part is in the
    /// totals and becomes a last lap, so nothing recorded is lost from the file.
    @Test func anInterruptedSessionKeepsWhatWasRecordedAfterItsLastSegmentAndSaysItWasCutShort() {
        let d = SampleSessions.interrupted
        let a = ExportedActivity(d)
        #expect(a.cutShort)
        #expect(a.laps.count == 3)
        let last = a.laps[2]
        #expect(last.trigger == .sessionEnd)
        #expect(abs(last.forwardM - 10.0 / 3.6 * 28) < 1e-6)
        #expect(last.startedAt == SampleSessions.start + 120 && last.endedAt == SampleSessions.start + 150)
        #expect(abs(a.laps.reduce(0) { $0 + $1.distanceM } - (d.session.forwardM + d.session.reverseM)) < 1e-9)
        #expect(a.notes.contains("Cut short"))
    }

    @Test func aSessionKilledInItsFirstSegmentIsOneLapOfWhatWasCheckpointed() {
        let d = SampleSessions.detail([], outcome: "interrupted", extra: (f: 12, r: 0, s: 20), endedAt: SampleSessions.start + 25)
        let a = ExportedActivity(d)
        #expect(a.laps.count == 1)
        #expect(a.laps[0].forwardM == 12 && a.laps[0].elapsedS == 25)
    }
}
