import Logging

/// A swift-log handler for a service whose stderr is connected to journald: each line starts
/// with the syslog priority in angle brackets (sd-daemon(3): `<3>` error, `<4>` warning,
/// `<6>` info, `<7>` debug), so `journalctl -p warning` and the colours in `systemctl status`
/// work, and metadata follows as `key=value` (values with spaces or quotes are quoted).
///
/// Lines are handed to a `LogWriter`, which writes them from its own thread; the logging
/// thread never waits on the journal.
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let writer: LogWriter

    public init(label: String, writer: LogWriter, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.writer = writer
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        writer.submit(Self.format(level: event.level, message: "\(event.message)", metadata: merged))
    }

    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// One journal line: priority, message, sorted key=value pairs, newline. A newline inside
    /// the message would start an unprefixed record in the journal, so it is escaped.
    static func format(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var line = "<\(priority(level))>" + escapeNewlines(message)
        for key in metadata.keys.sorted() {
            line += " \(key)=" + quoted("\(metadata[key]!)")
        }
        return line + "\n"
    }

    static func quoted(_ value: String) -> String {
        let plain = !value.isEmpty && !value.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }
        if plain { return value }
        return "\"" + escapeNewlines(value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")) + "\""
    }

    static func escapeNewlines(_ s: String) -> String {
        s.contains(where: \.isNewline) ? s.replacingOccurrences(of: "\r\n", with: "\\n").replacingOccurrences(of: "\n", with: "\\n") : s
    }
}
