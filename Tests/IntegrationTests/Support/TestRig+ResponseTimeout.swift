import Foundation

extension TestRig {
    /// The drive response time-out the rig's treadd gets: 150 ms, or
    /// `TREAD_TEST_RESPONSE_TIMEOUT_MS`. Under ThreadSanitizer the sanitized treadsim answers
    /// several times slower, and on a loaded machine it missed 150 ms before any fault was
    /// injected, so treadd (rightly) latched drive_offline first. scripts/sanitize.sh widens it;
    /// the faults injected stay far outside it (silence, replies 1000 ms late).
    static let responseTimeoutMs: Int = {
        let fallback = 150
        guard let text = ProcessInfo.processInfo.environment["TREAD_TEST_RESPONSE_TIMEOUT_MS"] else { return fallback }
        guard let ms = Int(text), ms > 0, ms < 1000 else {
            fatalError("TREAD_TEST_RESPONSE_TIMEOUT_MS must be 1-999 ms (a reply 1000 ms late must still time out); got \(text)")
        }
        return ms
    }()
}
