package io.vetcd.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.MessageSizeOverflowException;
import io.vertx.grpc.common.WireFormat;
import io.vertx.grpc.common.impl.GrpcMessageDeframer;

/**
 * Cuts a gRPC request body into its length-prefixed messages and reads each message's prefix as
 * grpc-go's server (etcd) does: flag 0 is a plain message; flag 1 (compressed) is refused, since
 * a call reaches this deframer only without a {@code grpc-encoding} or with {@code identity}
 * ({@link GoGrpcServer} refuses the others, as etcd has no decompressor); any other flag is an
 * unknown payload format; a body that ends inside a frame was cut short. Vert.x's deframer threw
 * "Handle me" onto the event loop for a compressed flag and read unknown flags as plain messages.
 * A refusal is handed on as a {@link Malformed} message, in order with the messages before it,
 * and ends the deframing.
 */
final class GoGrpcDeframer implements GrpcMessageDeframer {
    /** A frame grpc-go refuses: its status text, and whether the body was cut short (its status depends on the call kind). */
    record Malformed(String text, boolean cutShort) implements GrpcMessage {
        @Override
        public String encoding() {
            return "identity";
        }

        @Override
        public WireFormat format() {
            return WireFormat.PROTOBUF;
        }

        @Override
        public Buffer payload() {
            return Buffer.buffer();
        }
    }

    private long maxMessageSize = Long.MAX_VALUE;
    private Buffer buffer;
    private long bytesToSkip;
    private boolean ended;
    private boolean refused;

    @Override
    public void maxMessageSize(long maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    @Override
    public void update(Buffer chunk) {
        if (refused) return;
        if (bytesToSkip > 0) { // the rest of a message over the size limit, already refused
            if (chunk.length() <= bytesToSkip) {
                bytesToSkip -= chunk.length();
                return;
            }
            chunk = chunk.getBuffer((int) bytesToSkip, chunk.length());
            bytesToSkip = 0;
        }
        if (buffer == null) {
            buffer = chunk;
        } else {
            try {
                buffer.appendBuffer(chunk);
            } catch (IndexOutOfBoundsException sliceCannotGrow) {
                buffer = buffer.copy().appendBuffer(chunk);
            }
        }
    }

    @Override
    public void end() {
        ended = true;
    }

    @Override
    public Object next() {
        if (refused) return null;
        int have = buffer == null ? 0 : buffer.length();
        if (have < 5) {
            return ended && have > 0 ? refuse(new Malformed("unexpected EOF", true)) : null;
        }
        long len = buffer.getUnsignedInt(1);
        if (len > maxMessageSize) { // answered RESOURCE_EXHAUSTED by the call; the message is skipped
            if (have < len + 5) {
                bytesToSkip = len + 5 - have;
                buffer = null;
            } else {
                buffer = buffer.getBuffer((int) (len + 5), have);
            }
            return new MessageSizeOverflowException(len);
        }
        if (have - 5 < len) {
            return ended ? refuse(new Malformed("unexpected EOF", true)) : null;
        }
        int flag = buffer.getUnsignedByte(0);
        Buffer payload = buffer.slice(5, (int) (5 + len)); // no copy: what follows is copied out below
        buffer = have == 5 + len ? null : buffer.getBuffer((int) (5 + len), have);
        return switch (flag) {
            case 0 -> GrpcMessage.message("identity", WireFormat.PROTOBUF, payload);
            case 1 -> refuse(new Malformed("grpc: compressed flag set with identity or empty encoding", false));
            default -> refuse(new Malformed("grpc: received unexpected payload format " + flag, false));
        };
    }

    private Malformed refuse(Malformed m) {
        refused = true;
        buffer = null;
        return m;
    }
}
