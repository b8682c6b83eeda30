import Glibc
import TreadCore

/// CLOCK_MONOTONIC as a core `Instant`: immune to wall-clock changes (NTP, a technician
/// setting the date), which must never stretch a grace period or a dwell.
public enum MonotonicClock {
    public static func now() -> Instant {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Instant(nanoseconds: Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec))
    }
}
