import Synchronization

/// Poll durations handed from the drive thread to the metrics, without a lock: the drive
/// thread runs at SCHED_FIFO, and the Prometheus histogram's lock is a plain one that a
/// preempted scrape could hold while a stop waits. One producer (the drive thread), one
/// consumer (the metrics render on the event loop); when the consumer falls behind, the
/// newest durations are dropped and counted, never waited for.
final class PollTimes: @unchecked Sendable {
    static let capacity = 1024
    /// A slot is written by the producer before its release of `head`, and read by the
    /// consumer after its acquire of `head`; the consumer's release of `tail` hands it back.
    private let slots = UnsafeMutablePointer<Int64>.allocate(capacity: PollTimes.capacity)
    /// Written only by the producer; the next slot to fill.
    private let head = Atomic<Int>(0)
    /// Written only by the consumer; the next slot to read.
    private let tail = Atomic<Int>(0)
    private let droppedCount = Atomic<Int>(0)

    init() { slots.initialize(repeating: 0, count: Self.capacity) }

    deinit { slots.deallocate() }

    /// Drive thread: records one duration, or drops it when the ring is full.
    func push(_ d: Duration) {
        let h = head.load(ordering: .relaxed)
        guard h - tail.load(ordering: .acquiring) < Self.capacity else {
            droppedCount.add(1, ordering: .relaxed)
            return
        }
        slots[h % Self.capacity] = d.nanoseconds
        head.store(h + 1, ordering: .releasing)
    }

    /// Consumer: every duration pushed since the last drain, oldest first.
    func drain() -> [Duration] {
        let t = tail.load(ordering: .relaxed)
        let h = head.load(ordering: .acquiring)
        var out: [Duration] = []
        out.reserveCapacity(h - t)
        for i in t..<h { out.append(.nanoseconds(slots[i % Self.capacity])) }
        tail.store(h, ordering: .releasing)
        return out
    }

    var dropped: Int { droppedCount.load(ordering: .relaxed) }
}
