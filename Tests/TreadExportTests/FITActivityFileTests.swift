import Foundation
import Testing
import TreadProtocol
import TreadTesting
@testable import TreadExport

/// Every file is read back by two independent decoders (fitdecode, fitparse), which check the
/// CRCs and must agree with each other (`ExportValidation.readFIT`).
@Suite struct FITActivityFileTests {
    func read(_ a: ExportedActivity) throws -> ExportValidation.FITSummary {
        let dir = try TempFolder()
        defer { dir.remove() }
        let file = dir.url.appendingPathComponent("session.fit")
        try Data(FITActivityFile.encode(a)).write(to: file)
        return try ExportValidation.readFIT(file.path)
    }

    @Test func aFinishedSessionReadsBackWithItsSportLapsDistanceTimeAndEnergy() throws {
        let a = ExportedActivity(SampleSessions.finished)
        let fit = try read(a)
        #expect(fit.fileType == "activity")
        #expect(fit.sport?.sport == "running" && fit.sport?.subSport == "treadmill")
        let s = try #require(fit.session)
        #expect(s.sport == "running" && s.subSport == "treadmill")
        #expect(abs((s.totalDistance ?? 0) - a.distanceM) < 0.01)
        #expect(s.totalElapsedTime == 420 && s.totalTimerTime == 420)
        #expect(s.totalCalories == Int((a.kcal ?? -1).rounded()))
        #expect(s.numLaps == 4 && fit.laps.count == 4)
        #expect(fit.laps.map(\.intensity) == ["warmup", "active", "active", "cooldown"])
        #expect(fit.laps.allSatisfy { $0.lapTrigger == "time" })
        #expect(abs((s.backwardsDistance ?? 0) - a.reverseM) < 0.01)
        #expect(abs((s.backwardsShare ?? 0) - a.reverseTimeShare * 100) < 0.01)
        #expect(fit.records == 5, "the start and the end of each lap")
        #expect(fit.activitySessions == 1)
        #expect(s.startTime?.hasPrefix("2026-11-30T00:53:20") == true, "\(s.startTime ?? "nil"): FIT's epoch is 1989-12-31")
    }

    @Test func walkingWithoutAnEnergyEstimateIsWalkingWithNoCalories() throws {
        let d = SampleSessions.detail([SampleSessions.segment(0, "forward", kmh: 4.0, from: SampleSessions.start, seconds: 90, kcal: nil)], kcal: false)
        let fit = try read(ExportedActivity(d))
        #expect(fit.session?.sport == "walking" && fit.session?.subSport == "treadmill")
        #expect(fit.session?.totalCalories == nil, "invalid (0xFFFF), not 0")
    }

    @Test func anInterruptedSessionReadsBackWithTheLapItWasCutShortIn() throws {
        let a = ExportedActivity(SampleSessions.interrupted)
        let fit = try read(a)
        #expect(fit.laps.count == 3)
        #expect(fit.laps.last?.lapTrigger == "session_end")
        #expect(fit.session?.totalElapsedTime == 150)
        #expect(abs((fit.session?.totalDistance ?? 0) - a.distanceM) < 0.01)
    }

    /// The readers must be able to refuse: one flipped byte in the records breaks the file CRC.
    @Test func aCorruptedFileIsRefusedByTheReaders() throws {
        var bytes = FITActivityFile.encode(ExportedActivity(SampleSessions.finished))
        bytes[40] ^= 0x01
        let dir = try TempFolder()
        defer { dir.remove() }
        let file = dir.url.appendingPathComponent("corrupt.fit")
        try Data(bytes).write(to: file)
        #expect(throws: ExportValidation.FITRefused.self) { try ExportValidation.readFIT(file.path) }
    }
}
