/// Waits between reconnect attempts: `first`, doubled after each failure up to `most`, back to
/// `first` after a success. Hundreds of machines behind one gym's router all come back when
/// the link does; the doubling (and the broker's own limits) keep them from hammering it.
public struct Backoff: Sendable, Equatable {
    public let first: Duration
    public let most: Duration
    public private(set) var next: Duration

    public init(first: Duration, most: Duration) {
        self.first = first; self.most = most; next = first
    }

    /// The wait before the next attempt, and doubles the one after.
    public mutating func failed() -> Duration {
        defer { next = min(next * 2, most) }
        return next
    }

    public mutating func succeeded() { next = first }
}
