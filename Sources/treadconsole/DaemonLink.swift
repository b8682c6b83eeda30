import Foundation
import NIOCore
import NIOPosix
import TreadProtocol

/// Why a request to treadd did not happen; the message is what the member's page shows.
enum LinkError: Error, CustomStringConvertible {
    /// No connection: treadd is down, restarting, or the socket is not ours to use.
    case unreachable(String)
    /// treadd answered, but not like treadd (no greeting, unreadable line, no reply in time).
    case protocolTrouble(String)
    /// treadd refused the request; `code` is its error code, `message` says why in its words.
    case refused(code: String, message: String)

    var description: String {
        switch self {
        case .unreachable(let m), .protocolTrouble(let m): return m
        case .refused(_, let m): return m
        }
    }
}

/// Everything treadconsole knows of treadd's socket protocol (docs/protocol.md), in one place
/// so a protocol change touches one file: greeting, requests, replies and the watch stream.
///
/// Each control request uses a connection of its own, opened when the button is pressed, so a
/// stop is never queued behind a stalled stream and a lost daemon is reported at once.
struct DaemonLink: Sendable {
    let socketPath: String
    /// A control request that is not answered within this is reported as failed, never retried.
    var replyTimeout: Duration = .seconds(5)

    /// The longest line accepted from treadd; treadd's own limit for requests is 256 KiB.
    static let maxLine = 1 << 20

    /// Subscribes with `watch` and passes every line treadd sends, as received, to `onLine`:
    /// first the reply (`{"id":..,"result":{"status":..}}`), then events. Returns when treadd
    /// closes the connection; throws when it cannot be reached.
    func watch(onLine: @Sendable (String) async -> Void) async throws {
        try await withConnection { lines, send in
            try await send(Request(id: 1, method: .watch))
            while let line = try await lines.next() {
                let m = try Self.decode(line)
                if m.id == 1, let e = m.error { throw LinkError.refused(code: e.code.rawValue, message: e.message) }
                await onLine(line)
            }
        }
    }

    /// Sends one request on a fresh connection and returns its result.
    func call(_ method: TreadProtocol.Method, _ params: Params? = nil) async throws -> ResultBody {
        try await withThrowingTaskGroup(of: ResultBody.self) { group in
            group.addTask {
                try await withConnection { lines, send in
                    try await send(Request(id: 1, method: method, params: params))
                    while let line = try await lines.next() {
                        let m = try Self.decode(line)
                        guard m.id == 1 else { continue }
                        if let e = m.error { throw LinkError.refused(code: e.code.rawValue, message: e.message) }
                        return m.result ?? ResultBody()
                    }
                    throw LinkError.unreachable("treadd closed the connection before answering \(method.rawValue)")
                }
            }
            group.addTask {
                try await Task.sleep(for: replyTimeout)
                throw LinkError.protocolTrouble("treadd did not answer \(method.rawValue) within \(replyTimeout)")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    private static func decode(_ line: String) throws -> ServerMessage {
        do { return try LineCoding.decode(ServerMessage.self, from: line) } catch {
            throw LinkError.protocolTrouble("unreadable line from treadd: \(line.prefix(120))")
        }
    }

    /// Connects, checks the greeting, and runs `body` with a line reader and a request sender.
    private func withConnection<R: Sendable>(
        _ body: (inout LineReader, @Sendable (Request) async throws -> Void) async throws -> R
    ) async throws -> R {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(unixDomainSocketPath: socketPath) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw LinkError.unreachable(Self.explain(error, path: socketPath))
        }
        return try await channel.executeThenClose { inbound, outbound in
            var lines = LineReader(iterator: inbound.makeAsyncIterator(), maxLine: Self.maxLine)
            guard let first = try await lines.next(), (try? Self.decode(first))?.hello != nil else {
                throw LinkError.protocolTrouble("\(socketPath) did not greet like treadd")
            }
            let send: @Sendable (Request) async throws -> Void = { request in
                try await outbound.write(ByteBuffer(string: LineCoding.encode(request) + "\n"))
            }
            return try await body(&lines, send)
        }
    }

    /// Plain words for a failed connect: the page shows them to the member and staff.
    private static func explain(_ error: any Error, path: String) -> String {
        switch (error as? IOError)?.errnoCode {
        case ENOENT: return "treadd is not running (no socket at \(path))"
        case ECONNREFUSED: return "treadd is not running (\(path) refuses connections)"
        case EACCES: return "no permission to use \(path): treadconsole must be in the treadmill group"
        default: return "cannot reach treadd at \(path): \(error)"
        }
    }
}

/// Splits the byte stream from treadd into lines, refusing any longer than `maxLine`.
struct LineReader {
    var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    let maxLine: Int
    private var pending = ByteBuffer()

    init(iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, maxLine: Int) {
        self.iterator = iterator
        self.maxLine = maxLine
    }

    /// The next line without its newline, or nil when the connection closed.
    mutating func next() async throws -> String? {
        while true {
            if let nl = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                let line = pending.readString(length: nl - pending.readerIndex) ?? ""
                pending.moveReaderIndex(forwardBy: 1)
                pending.discardReadBytes()
                return line
            }
            guard pending.readableBytes <= maxLine else {
                throw LinkError.protocolTrouble("a line from treadd is longer than \(maxLine) bytes")
            }
            guard var chunk = try await iterator.next() else { return nil }
            pending.writeBuffer(&chunk)
        }
    }
}
