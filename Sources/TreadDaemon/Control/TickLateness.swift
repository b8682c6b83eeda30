/// A fixed-size record of how late the control loop's ticks began: written by the control
/// thread (no allocation after the first tick), read and cleared by the benchmark.
struct TickLateness: Sendable {
    static let capacity = 16_384
    private var samples: [Duration] = []
    private var next = 0

    mutating func record(_ late: Duration) {
        if samples.count < Self.capacity {
            if samples.isEmpty { samples.reserveCapacity(Self.capacity) }
            samples.append(late)
        } else {
            samples[next] = late
            next = (next + 1) % Self.capacity
        }
    }

    mutating func take() -> [Duration] {
        let out = Array(samples[next...] + samples[..<next])
        samples.removeAll(keepingCapacity: true)
        next = 0
        return out
    }
}
