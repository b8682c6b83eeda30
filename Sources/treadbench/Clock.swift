#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CLOCK_MONOTONIC in nanoseconds: one clock for every thread's timestamps in this benchmark.
@inline(__always)
func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// This thread's CPU time (user + system), in seconds.
func threadCPUSeconds() -> Double { Double(threadCPUNanos()) / 1e9 }

/// This thread's CPU time (user + system), in nanoseconds.
func threadCPUNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Sleeps for about `nanos` (the kernel may add tens of microseconds).
func sleepNanos(_ nanos: UInt64) {
    guard nanos > 0 else { return }
    var req = timespec(tv_sec: Int(nanos / 1_000_000_000), tv_nsec: Int(nanos % 1_000_000_000))
    var rem = timespec()
    while nanosleep(&req, &rem) != 0 && errno == EINTR { req = rem }
}

/// SplitMix64: a seeded generator, so that a run's submission schedule can be repeated.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Nearest-rank percentiles of a sample, in the sample's unit.
struct Percentiles: Sendable {
    var count: Int
    var p50: Double
    var p99: Double
    var p999: Double
    var max: Double

    init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        func rank(_ p: Double) -> Double {
            let i = Int((p * Double(s.count)).rounded(.up)) - 1
            return s[Swift.max(0, Swift.min(s.count - 1, i))]
        }
        count = s.count
        p50 = rank(0.50)
        p99 = rank(0.99)
        p999 = rank(0.999)
        max = s[s.count - 1]
    }

    var json: [String: Any] { ["count": count, "p50": p50, "p99": p99, "p99_9": p999, "max": max] }
}

/// This thread's CPU time and context switches: read around an edge, they say whether a slow
/// reaction ran long (CPU time), waited for a lock (a voluntary switch) or was preempted (an
/// involuntary one), or lost time while the thread was neither running nor switched out (the
/// virtual CPU itself not running, which the guest cannot see as a switch).
struct ThreadUsage {
    var cpuNanos: UInt64
    var voluntarySwitches: Int
    var involuntarySwitches: Int

    static func now() -> ThreadUsage {
        var u = rusage()
        getrusage(1, &u)  // RUSAGE_THREAD (Linux), which Glibc does not export without _GNU_SOURCE
        return ThreadUsage(cpuNanos: threadCPUNanos(), voluntarySwitches: u.ru_nvcsw, involuntarySwitches: u.ru_nivcsw)
    }

    static func - (a: ThreadUsage, b: ThreadUsage) -> ThreadUsage {
        ThreadUsage(cpuNanos: a.cpuNanos &- b.cpuNanos, voluntarySwitches: a.voluntarySwitches - b.voluntarySwitches,
                    involuntarySwitches: a.involuntarySwitches - b.involuntarySwitches)
    }
}
