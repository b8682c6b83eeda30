import Foundation
import Glibc
import Logging
import Testing
@testable import TreadDaemon

/// Journal lines: priorities as sd-daemon(3) defines them, metadata as key=value, and a
/// writer that drops (and counts) rather than blocks.
@Suite struct JournalLogHandlerTests {
    @Test func prioritiesFollowSdDaemon() {
        #expect(JournalLogHandler.priority(.error) == 3)
        #expect(JournalLogHandler.priority(.warning) == 4)
        #expect(JournalLogHandler.priority(.info) == 6)
        #expect(JournalLogHandler.priority(.debug) == 7)
        #expect(JournalLogHandler.priority(.critical) == 2)
        #expect(JournalLogHandler.priority(.notice) == 5)
    }

    @Test func metadataIsKeyValueSortedAndQuotedWhenNeeded() {
        let line = JournalLogHandler.format(level: .warning, message: "drive transaction failed",
                                            metadata: ["error": "timed out after 200 ms", "consecutive": "2", "quote": "a\"b"])
        #expect(line == "<4>drive transaction failed consecutive=2 error=\"timed out after 200 ms\" quote=\"a\\\"b\"\n")
    }

    @Test func aNewlineNeverStartsAnUnprefixedJournalRecord() {
        let line = JournalLogHandler.format(level: .error, message: "two\nlines", metadata: ["v": "x\ny"])
        #expect(line.filter { $0 == "\n" }.count == 1)
        #expect(line == "<3>two\\nlines v=\"x\\ny\"\n")
    }

    @Test func theHandlerWritesThroughTheWriter() throws {
        let pipe = try Pipe2()
        let writer = LogWriter(fd: pipe.write, capacity: 16) { "<4>\($0) dropped\n" }
        var logger = Logger(label: "t") { JournalLogHandler(label: $0, writer: writer) }
        logger.logLevel = .info
        logger.debug("not shown")
        logger.info("treadd ready", metadata: ["socket": "/run/treadd/treadd.sock"])
        writer.flush()
        #expect(pipe.readAvailable() == "<6>treadd ready socket=/run/treadd/treadd.sock\n")
    }

    @Test func aFullQueueDropsAndCountsLinesAndSaysSoOnceTheWriterCatchesUp() throws {
        let pipe = try Pipe2()
        let writer = LogWriter(fd: pipe.write, capacity: 4) { "<4>\($0) log lines dropped\n" }
        let dropsBefore = LogDrops.total
        // A line longer than the pipe's buffer blocks the writer thread until the test reads.
        let big = String(repeating: "b", count: 200_000) + "\n"
        writer.submit(big)
        var refused = 0
        let start = ContinuousClock.now
        for i in 0..<20 where !writer.submit("<6>line \(i)\n") { refused += 1 }
        #expect(ContinuousClock.now - start < .milliseconds(500), "submit waited on the blocked writer")
        // At most 3 lines ride in the writer's first batch with the big one, and 4 wait behind it.
        #expect(refused >= 13, "only \(refused) of 20 lines dropped with room for 4")
        #expect(LogDrops.total - dropsBefore >= refused)
        // Drain the pipe: the writer finishes the big line, the queued lines, then the notice.
        let text = pipe.read(until: "log lines dropped\n", timeout: .seconds(5))
        #expect(text.contains("\n<4>\(refused) log lines dropped\n"), "got \(text.suffix(200))")
    }
}

/// A pipe read by the test.
final class Pipe2 {
    let read: Int32
    let write: Int32

    init() throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw POSIXError(.EIO) }
        read = fds[0]
        write = fds[1]
    }

    deinit { close(read); close(write) }

    /// What is in the pipe now (waits briefly for the first byte).
    func readAvailable() -> String { read(until: nil, timeout: .milliseconds(500)) }

    /// Reads until the text ends with `marker` (or, with nil, until nothing more arrives).
    func read(until marker: String?, timeout: Duration) -> String {
        var data = [UInt8]()
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var pfd = pollfd(fd: read, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, marker == nil && !data.isEmpty ? 20 : 100) > 0 else {
                if marker == nil, !data.isEmpty { break }
                continue
            }
            var buf = [UInt8](repeating: 0, count: 65536)
            let n = Glibc.read(read, &buf, buf.count)
            if n <= 0 { break }
            data += buf[0..<n]
            if let marker, String(decoding: data, as: UTF8.self).contains(marker) { break }
        }
        return String(decoding: data, as: UTF8.self)
    }
}
