import Foundation
import HummingbirdWSClient
import Logging

/// A client of Chromium's DevTools protocol: JSON commands over one WebSocket, each answered
/// by a message with the same id. Commands that get no answer within their time-out fail the
/// test instead of hanging it. JavaScript exceptions thrown by pages are recorded, so a test
/// can check that its page ran without errors.
final class DevTools: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [Int: CheckedContinuation<String, any Error>] = [:]
    private var nextID = 1
    private var closed: (any Error)?
    private var exceptions: [String] = []
    private let outgoing: AsyncStream<String>.Continuation
    private var connection: Task<Void, Never>?

    /// - Parameter url: the browser's `ws://127.0.0.1:PORT/devtools/browser/ID` address.
    init(url: String) {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        outgoing = continuation
        let dispatch: @Sendable (String) -> Void = { [weak self] text in self?.dispatch(text) }
        let failAll: @Sendable (any Error) -> Void = { [weak self] error in self?.failAll(error) }
        connection = Task {
            var failure: any Error = TestFailure.failed("DevTools connection closed")
            do {
                // Screenshots of a 1920x1080 page come as one large text message.
                let config = WebSocketClientConfiguration(maxFrameSize: 64 << 20)
                try await WebSocketClient.connect(url: url, configuration: config, logger: Logger(label: "devtools")) { inbound, outbound, _ in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await text in stream { try await outbound.write(.text(text)) }
                        }
                        for try await message in inbound.messages(maxSize: 64 << 20) {
                            if case .text(let text) = message { dispatch(text) }
                        }
                        group.cancelAll()
                    }
                }
            } catch {
                failure = TestFailure.failed("DevTools connection failed: \(error)")
            }
            failAll(failure)
        }
    }

    deinit {
        outgoing.finish()
        connection?.cancel()
    }

    /// JavaScript exceptions reported by any attached page so far.
    var pageExceptions: [String] { lock.withLock { exceptions } }

    /// Sends a command and returns its `result` object.
    @discardableResult
    func send(_ method: String, _ params: [String: Any] = [:], session: String? = nil, timeout: Double = 30) async throws -> [String: Any] {
        let id = lock.withLock { defer { nextID += 1 }; return nextID }
        var message: [String: Any] = ["id": id, "method": method, "params": params]
        if let session { message["sessionId"] = session }
        let text = String(decoding: try JSONSerialization.data(withJSONObject: message), as: UTF8.self)
        let reply: String = try await withCheckedThrowingContinuation { c in
            let failure: (any Error)? = lock.withLock {
                if let closed { return closed }
                pending[id] = c
                return nil
            }
            if let failure { c.resume(throwing: failure); return }
            outgoing.yield(text)
            Task { [weak self] in
                try? await Task.sleep(for: .seconds(timeout))
                self?.fail(id, TestFailure.timeout("DevTools \(method) got no answer in \(timeout) s"))
            }
        }
        let obj = try JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [String: Any] ?? [:]
        if let error = obj["error"] as? [String: Any] {
            throw TestFailure.failed("DevTools \(method) failed: \(error["message"] ?? error)")
        }
        return obj["result"] as? [String: Any] ?? [:]
    }

    private func dispatch(_ text: String) {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return }
        if let id = obj["id"] as? Int {
            let c = lock.withLock { pending.removeValue(forKey: id) }
            c?.resume(returning: text)
        } else if obj["method"] as? String == "Runtime.exceptionThrown" {
            let details = (obj["params"] as? [String: Any])?["exceptionDetails"] as? [String: Any]
            let description = ((details?["exception"] as? [String: Any])?["description"] as? String) ?? (details?["text"] as? String) ?? text
            lock.withLock { exceptions.append(description) }
        }
    }

    private func fail(_ id: Int, _ error: any Error) {
        let c = lock.withLock { pending.removeValue(forKey: id) }
        c?.resume(throwing: error)
    }

    private func failAll(_ error: any Error) {
        let all = lock.withLock {
            closed = error
            defer { pending.removeAll() }
            return Array(pending.values)
        }
        for c in all { c.resume(throwing: error) }
    }
}
