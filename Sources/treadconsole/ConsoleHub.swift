import Foundation

/// The one copy of what the page should show, and the pages currently watching it.
///
/// Every message to a page is a JSON object `{"link":{"up":Bool,"message":String?},"line":...}`
/// where `line` is treadd's own line, passed through unchanged: keys treadd adds later (energy,
/// distance) reach the page without a change here. A new page first gets the latest message,
/// so it never shows stale defaults. A page that stops reading loses old messages, never
/// holds up the others (each stream keeps only the newest few).
actor ConsoleHub {
    private var linkUp = false
    private var linkMessage: String? = "connecting to treadd"
    /// The latest line from treadd that carries a status (a watch reply or an event).
    private var lastStatusLine: String?
    private var subscribers: [UUID: AsyncStream<String>.Continuation] = [:]

    var isLinkUp: Bool { linkUp }
    var downReason: String { linkMessage ?? "treadd is not connected" }

    /// A stream of page messages, starting with the current picture.
    func subscribe() -> AsyncStream<String> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(16))
        subscribers[id] = continuation
        continuation.yield(snapshot())
        continuation.onTermination = { _ in Task { await self.unsubscribe(id) } }
        return stream
    }

    private func unsubscribe(_ id: UUID) { subscribers[id] = nil }

    /// A line from treadd's watch stream.
    func received(_ line: String) {
        if !linkUp || linkMessage != nil {
            linkUp = true
            linkMessage = nil
        }
        if line.contains("\"status\"") { lastStatusLine = line }
        broadcast(message(line: line))
    }

    /// The watch connection failed or closed: the page must say so at once.
    func lost(_ reason: String) {
        linkUp = false
        linkMessage = reason
        lastStatusLine = nil
        broadcast(snapshot())
    }

    var subscriberCount: Int { subscribers.count }

    private func snapshot() -> String { message(line: linkUp ? lastStatusLine : nil) }

    private func message(line: String?) -> String {
        var link: [String: Any] = ["up": linkUp]
        if let linkMessage { link["message"] = linkMessage }
        let linkJSON = String(decoding: try! JSONSerialization.data(withJSONObject: link, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
        // `line` is a JSON object treadd sent and DaemonLink decoded, so splicing it in is valid JSON.
        return "{\"link\":\(linkJSON),\"line\":\(line ?? "null")}"
    }

    private func broadcast(_ text: String) {
        for c in subscribers.values { c.yield(text) }
    }
}
