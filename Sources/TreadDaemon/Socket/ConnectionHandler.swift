import NIOCore
import TreadProtocol

/// One client connection: greets, decodes each line as a request, hands it to the router,
/// writes replies. A malformed line gets an error reply and the connection keeps serving;
/// an over-long line gets an error and the connection is closed.
final class ConnectionHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let router: RequestRouter
    private let hello: Hello

    init(router: RequestRouter, hello: Hello) {
        self.router = router
        self.hello = hello
    }

    func channelActive(context: ChannelHandlerContext) {
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
            send(.failure(nil, code: "bad_request", "not a request: expected a JSON object with \"method\" (and optional \"id\", \"params\")"), on: channel)
            return
        }
        router.handle(request, channel: channel) { [weak self] reply in self?.send(reply, on: channel) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if error is LineFrameDecoder.LineTooLong {
            let msg = ServerMessage.failure(nil, code: "line_too_long", "request line longer than the limit; closing the connection")
            var buf = context.channel.allocator.buffer(capacity: 128)
            buf.writeString(LineCoding.encode(msg) + "\n")
            context.writeAndFlush(wrapOutboundOut(buf)).whenComplete { _ in context.close(promise: nil) }
            return
        }
        context.close(promise: nil)
    }

    /// Safe from any thread: NIO hops to the channel's event loop.
    private func send(_ message: ServerMessage, on channel: Channel) {
        let line = LineCoding.encode(message) + "\n"
        var buf = channel.allocator.buffer(capacity: line.utf8.count)
        buf.writeString(line)
        channel.writeAndFlush(buf, promise: nil)
    }
}
