import Foundation
import Glibc
import Logging
import Testing
import TreadTesting
@testable import TreadHardware

@Suite struct RealtimePriorityTests {
    /// The calling thread's policy and priority.
    static func currentScheduling() -> (policy: Int32, priority: Int32) {
        var policy: Int32 = 0
        var param = sched_param()
        pthread_getschedparam(pthread_self(), &policy, &param)
        return (policy, param.sched_priority)
    }

    /// Whether this machine lets a thread have SCHED_FIFO at all (root or CAP_SYS_NICE or an
    /// RLIMIT_RTPRIO), found on a scratch thread; the tests check the matching behaviour.
    static let fifoAllowed: Bool = {
        let result = Locked<Bool?>(nil)
        let t = Thread { result.withLock { $0 = RealtimePriority(5)!.applyToCurrentThread() == nil } }
        t.start()
        _ = eventually { result.withLock { $0 } != nil }
        return result.withLock { $0 } ?? false
    }()

    @Test func onlyPrioritiesBelowTheKernelsIRQThreadsAreAccepted() {
        #expect(RealtimePriority(0) == nil)
        #expect(RealtimePriority(1)?.value == 1)
        #expect(RealtimePriority(RealtimePriority.maxConfigurable)?.value == RealtimePriority.maxConfigurable)
        #expect(RealtimePriority(RealtimePriority.maxConfigurable + 1) == nil)
        #expect(RealtimePriority(20)!.forInputs.value == 21)
    }

    @Test func theDriveThreadRunsAtTheConfiguredFIFOPriorityOrSaysWhyNot() throws {
        let seen = Locked<(policy: Int32, priority: Int32)?>(nil)
        let logged = Locked<[String]>([])
        var logger = Logger(label: "test.realtime") { _ in CapturingLogHandler(into: logged) }
        logger.logLevel = .info
        let drive = RecordingDrive()
        let link = DriveLink(pollInterval: .milliseconds(20), realtime: RealtimePriority(12), logger: logger) {
            // makeDrive runs on the drive thread itself, after the priority was applied.
            seen.withLock { $0 = Self.currentScheduling() }
            return drive
        }
        link.start()
        defer { link.shutdown() }
        try waitUntil("the drive link online") { if case .online = link.currentFeedback { true } else { false } }
        let scheduling = seen.withLock { $0 }
        if Self.fifoAllowed {
            #expect(scheduling?.policy == SCHED_FIFO)
            #expect(scheduling?.priority == 12)
            #expect(logged.withLock { $0 }.contains { $0.contains("drive thread at SCHED_FIFO 12") })
        } else {
            #expect(scheduling?.policy == SCHED_OTHER, "refused, the thread runs on at normal priority")
            #expect(logged.withLock { $0 }.contains { $0.contains("cannot run at SCHED_FIFO 12") })
        }
        // Either way the link works.
        #expect(link.currentStats.transactions >= 1)
    }

    @Test func withoutAPriorityTheDriveThreadStaysNormal() throws {
        let seen = Locked<Int32?>(nil)
        let drive = RecordingDrive()
        let link = DriveLink(pollInterval: .milliseconds(20), logger: Logger(label: "test.realtime")) {
            seen.withLock { $0 = Self.currentScheduling().policy }
            return drive
        }
        link.start()
        defer { link.shutdown() }
        try waitUntil("the drive link online") { if case .online = link.currentFeedback { true } else { false } }
        #expect(seen.withLock { $0 } == SCHED_OTHER)
    }
}

/// Keeps the messages logged, for tests that check what was said.
struct CapturingLogHandler: LogHandler {
    let into: Locked<[String]>
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        into.withLock { $0.append(message.description) }
    }
}
