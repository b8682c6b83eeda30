import Foundation
import Testing
@testable import TreadSync
import TreadTesting

/// The ledger moves its watermark only over contiguous acknowledgements, keeps them across a
/// reopen (a killed treadsync republishes only what was in flight), and forgets on request.
@Suite struct SyncLedgerTests {
    @Test func outOfOrderAcknowledgementsMoveTheWatermarkOnlyWhenContiguous() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let path = dir.path + "/ledger.sqlite"
        do {
            let l = try SyncLedger(path: path)
            try l.acknowledge(2, at: 0)
            try l.acknowledge(3, at: 0)
            #expect(l.watermark == 0)
            #expect(l.isAcknowledged(3) && !l.isAcknowledged(1))
            try l.acknowledge(1, at: 0)
            #expect(l.watermark == 3)
            #expect(l.ackedAbove.isEmpty)
            try l.acknowledge(5, at: 0)
        }
        let reopened = try SyncLedger(path: path)
        #expect(reopened.watermark == 3)
        #expect(reopened.ackedAbove == [5])
        #expect(!reopened.isAcknowledged(4))
    }

    @Test func forgettingFromASequenceNumberMakesThoseEntriesDueAgain() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let l = try SyncLedger(path: dir.path + "/ledger.sqlite")
        for s in 1...6 { try l.acknowledge(Int64(s), at: 0) }
        try l.acknowledge(8, at: 0)
        try l.forget(from: 4)
        #expect(l.watermark == 3)
        #expect(l.ackedAbove.isEmpty)
        #expect(try SyncLedger(path: dir.path + "/ledger.sqlite").watermark == 3)
    }
}
