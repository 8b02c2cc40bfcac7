import HummingbirdCore
import Logging
import NIOCore

/// Closes, when the server shuts down, a connection that has not sent a byte yet.
///
/// HTTP clients open connections ahead of need (AsyncHTTPClient's pool does when several
/// requests queue at once) and may leave one idle without a request. Hummingbird's WebSocket
/// upgrade pipeline waits for that first request with a future that neither the graceful
/// shutdown's quiesce event nor cancellation reaches, so such a connection held
/// `HubServer.stop()` for ever. A connection that has sent something is already handled: its
/// request is answered and then Hummingbird closes it.
final class SilentConnectionCloser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var spoke = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        spoke = true
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, !spoke {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// A server child channel that puts a ``SilentConnectionCloser`` in front of `inner`'s pipeline.
struct SilentConnectionClosingChannel<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value

    let inner: Inner

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(SilentConnectionCloser())
        }.flatMap {
            inner.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}
