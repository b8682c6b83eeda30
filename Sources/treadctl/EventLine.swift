import TreadProtocol

/// One plain line for an event other than progress, as `watch` prints it to a pipe:
/// `[rail_warning] rail released: hold the rails or the belt stops in 1.0 s`. Warnings and
/// faults are marked with `!` so they stand out in a log: `[rail_warning]!`.
enum EventLine {
    static func describe(_ m: ServerMessage) -> String {
        let name = m.event?.rawValue ?? "event"
        let category = m.category ?? m.event?.category ?? .state
        let mark = category == .warning || category == .fault ? "!" : ""
        guard let text = m.message, !text.isEmpty else { return "[\(name)]\(mark)" }
        return "[\(name)]\(mark) \(text)"
    }
}
