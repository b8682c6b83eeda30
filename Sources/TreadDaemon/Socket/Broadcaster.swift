import NIOCore
import Synchronization
import TreadHardware
import TreadProtocol

/// Fans events out to `watch` subscribers. Encoding and writing happen on an event loop,
/// never on the control thread. A subscriber whose socket stops draining (NIO marks the
/// channel unwritable past its high-water mark) is dropped rather than buffered without bound.
final class Broadcaster: Sendable {
    private let subscribers = Locked<[ObjectIdentifier: Channel]>([:])
    private let loop: EventLoop
    private let dropped = Atomic<Int>(0)

    init(loop: EventLoop) { self.loop = loop }

    var count: Int { subscribers.withLock { $0.count } }
    var droppedCount: Int { dropped.load(ordering: .relaxed) }

    func add(_ channel: Channel) {
        subscribers.withLock { $0[ObjectIdentifier(channel)] = channel }
        channel.closeFuture.whenComplete { [weak self] _ in self?.remove(channel) }
    }

    func remove(_ channel: Channel) {
        _ = subscribers.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Called from the control thread; returns at once.
    func publish(_ message: ServerMessage) {
        loop.execute { [self] in
            let targets = subscribers.withLock { Array($0.values) }
            guard !targets.isEmpty else { return }
            let line = LineCoding.encode(message) + "\n"
            for ch in targets {
                if ch.isWritable {
                    var buf = ch.allocator.buffer(capacity: line.utf8.count)
                    buf.writeString(line)
                    ch.writeAndFlush(buf, promise: nil)
                } else {
                    dropped.add(1, ordering: .relaxed)
                    remove(ch)
                    ch.close(promise: nil)
                }
            }
        }
    }
}
