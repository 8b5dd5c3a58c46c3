package io.vetcd.metrics;

import com.google.protobuf.Descriptors;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.WireFormat;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.Service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link GrpcServer} that does what go-grpc-prometheus's interceptors do for etcd: each bound
 * method's messages are counted in its codec (so a message costs one increment), and each call
 * is counted when it starts and when its HTTP/2 stream ends, by the {@code grpc-status} it ended
 * with, or as Canceled when the client went away first (etcd reports a watch whose client
 * disconnected as Canceled too).
 */
public final class MeteredGrpcServer implements GrpcServer {
    private final GrpcServer delegate;
    private final GrpcServerMetrics metrics;
    private final Map<String, Boolean[]> streaming;
    private final List<Service> services = new ArrayList<>();
    /** By request path ("/etcdserverpb.KV/Range"); filled while services are bound, read-only afterwards. */
    private final Map<String, GrpcServerMetrics.Method> byPath = new HashMap<>();

    /** {@code files}: the proto files whose services may be bound, for each method's streaming kind. */
    public MeteredGrpcServer(GrpcServer delegate, GrpcServerMetrics metrics, Descriptors.FileDescriptor... files) {
        this.delegate = delegate;
        this.metrics = metrics;
        this.streaming = new HashMap<>();
        for (Descriptors.FileDescriptor f : files) {
            for (Descriptors.ServiceDescriptor s : f.getServices()) {
                for (Descriptors.MethodDescriptor m : s.getMethods()) {
                    streaming.put(s.getFullName() + "/" + m.getName(), new Boolean[] {m.isClientStreaming(), m.isServerStreaming()});
                }
            }
        }
    }

    /** The counters of a bound method by request path, for handlers that write pre-encoded messages. */
    public GrpcServerMetrics.Method methodAt(String path) {
        return byPath.get(path);
    }

    @Override
    public void handle(HttpServerRequest req) {
        GrpcServerMetrics.Method m = byPath.get(req.path());
        if (m != null) {
            m.started();
            CallEnd end = new CallEnd(m, req.response());
            req.response().endHandler(end).closeHandler(end);
        }
        delegate.handle(req);
    }

    /** Counts the call once: by its status when the response ends, as Canceled if the stream closes first. */
    private static final class CallEnd implements Handler<Void> {
        private final GrpcServerMetrics.Method method;
        private final HttpServerResponse response;
        private final long startNanos = System.nanoTime();
        private boolean counted;

        CallEnd(GrpcServerMetrics.Method method, HttpServerResponse response) {
            this.method = method;
            this.response = response;
        }

        @Override
        public void handle(Void v) {
            if (counted) return;
            counted = true;
            method.handled(response.ended() ? status(response) : GrpcServerMetrics.CANCELED, startNanos);
        }

        private static int status(HttpServerResponse r) {
            // Headers first: trailers() creates the trailer block, and this runs while the stream
            // closes inside end(), so a trailers-only answer would then get a second, failing write.
            String s = r.headers().get("grpc-status"); // trailers-only response
            if (s == null) s = r.trailers().get("grpc-status");
            if (s == null) return GrpcServerMetrics.UNKNOWN;
            try {
                return Integer.parseInt(s);
            } catch (NumberFormatException e) {
                return GrpcServerMetrics.UNKNOWN;
            }
        }
    }

    @Override
    public GrpcServer callHandler(Handler<GrpcServerRequest<io.vertx.core.buffer.Buffer, io.vertx.core.buffer.Buffer>> handler) {
        delegate.callHandler(handler);
        return this;
    }

    @Override
    public <Req, Resp> GrpcServer callHandler(ServiceMethod<Req, Resp> method, Handler<GrpcServerRequest<Req, Resp>> handler) {
        String service = method.serviceName().fullyQualifiedName();
        Boolean[] kind = streaming.getOrDefault(service + "/" + method.methodName(), new Boolean[] {false, false});
        String type = kind[0] ? (kind[1] ? "bidi_stream" : "client_stream") : (kind[1] ? "server_stream" : "unary");
        GrpcServerMetrics.Method m = metrics.method(type, service, method.methodName());
        byPath.put("/" + service + "/" + method.methodName(), m);
        GrpcMessageDecoder<Req> decoder = method.decoder();
        GrpcMessageEncoder<Resp> encoder = method.encoder();
        ServiceMethod<Req, Resp> counted = ServiceMethod.server(method.serviceName(), method.methodName(),
            new GrpcMessageEncoder<>() {
                @Override
                public GrpcMessage encode(Resp msg, WireFormat format) {
                    GrpcMessage out = encoder.encode(msg, format);
                    m.sent(out.payload().length());
                    return out;
                }

                @Override
                public boolean accepts(WireFormat format) { return encoder.accepts(format); }
            },
            new GrpcMessageDecoder<>() {
                @Override
                public Req decode(GrpcMessage msg) {
                    m.received(msg.payload().length());
                    return decoder.decode(msg);
                }

                @Override
                public boolean accepts(WireFormat format) { return decoder.accepts(format); }
            });
        delegate.callHandler(counted, handler);
        return this;
    }

    @Override
    public GrpcServer addService(Service service) {
        services.add(service);
        service.bind(this);
        return this;
    }

    @Override
    public List<Service> services() {
        return List.copyOf(services);
    }
}
