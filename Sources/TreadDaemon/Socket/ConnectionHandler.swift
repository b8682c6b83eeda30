import NIOCore
import TreadProtocol

/// One client connection: greets, decodes each line as a request, hands it to the router,
/// writes replies. A malformed line gets an error reply and the connection keeps serving;
/// an over-long line gets an error and the connection is closed.
///
/// Replies are bounded like events: a client that sends requests but does not read the
/// replies is closed once its outbound buffer passes the high-water mark, so no client can
/// make the daemon buffer without bound.
final class ConnectionHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let router: RequestRouter
    private let hello: Hello
    private let access: ControlAccess
    // Event-loop state: touched only in channelActive/channelRead, which run on the loop.
    private var peer: PeerCredentials?
    private var decision: ControlAccess.Decision?

    init(router: RequestRouter, hello: Hello, access: ControlAccess) {
        self.router = router
        self.hello = hello
        self.access = access
    }

    func channelActive(context: ChannelHandlerContext) {
        // On the loop the option is read at once, before any request can arrive.
        PeerCredentials.of(context.channel).whenSuccess { [self] in peer = $0 }
        send(ServerMessage(hello: hello), on: context.channel)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = String(buffer: unwrapInboundIn(data))
        if line.allSatisfy({ $0 == " " || $0 == "\t" }) { return }
        let channel = context.channel
        let request: Request
        do {
            request = try LineCoding.decode(Request.self, from: line)
        } catch {
            send(.failure(nil, code: .badRequest, "not a request: expected a JSON object with \"method\" (and optional \"id\", \"params\")"), on: channel)
            return
        }
        router.handle(request, channel: channel, mayControl: controlDecision) { [weak self] reply in self?.send(reply, on: channel) }
    }

    /// Decided on the first control request and kept: the peer cannot change for a connection.
    private func controlDecision() -> ControlAccess.Decision {
        if let decision { return decision }
        let d = peer.map(access.decide) ?? .refused("treadd cannot tell who is connected (no peer credentials), so control is refused")
        decision = d
        return d
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if error is LineFrameDecoder.LineTooLong {
            let msg = ServerMessage.failure(nil, code: .lineTooLong,
                                            "request line longer than \(SocketServer.maxLineLength) bytes; closing the connection")
            var buf = context.channel.allocator.buffer(capacity: 128)
            buf.writeString(LineCoding.encode(msg) + "\n")
            context.writeAndFlush(wrapOutboundOut(buf)).whenComplete { _ in context.close(promise: nil) }
            return
        }
        context.close(promise: nil)
    }

    /// Safe from any thread: the reply is encoded and written on the channel's event loop, so
    /// a reply to a control request costs the control thread one hand-off, not an encoding.
    private func send(_ message: ServerMessage, on channel: Channel) {
        guard channel.eventLoop.inEventLoop else {
            channel.eventLoop.execute { [weak self] in self?.send(message, on: channel) }
            return
        }
        guard channel.isActive else { return }
        guard channel.isWritable else {
            // Past the high-water mark the client is not reading, so a last word would not
            // reach it either: the connection goes, and with it what was buffered for it.
            channel.close(promise: nil)
            return
        }
        let line = LineCoding.encode(message) + "\n"
        var buf = channel.allocator.buffer(capacity: line.utf8.count)
        buf.writeString(line)
        channel.writeAndFlush(buf, promise: nil)
    }
}
