package io.vetcd.api;

import com.google.protobuf.Descriptors;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.http.HttpServerRequestInternal;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.MessageSizeOverflowException;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.WireFormat;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.Service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The client port's gRPC server: calls of the bound methods over HTTP/2 with protobuf messages
 * (everything etcd's clients send) run as {@link GoGrpcCall}s, which read and refuse requests as
 * grpc-go does; anything else (an unknown method, gRPC-Web, JSON messages) is Vert.x's. As grpc-go
 * in etcd, which registers no decompressor, a call naming any {@code grpc-encoding} but identity is
 * refused with UNIMPLEMENTED before its body is read (this also keeps Vert.x's unbounded gzip
 * inflation away from requests).
 */
public final class GoGrpcServer implements GrpcServer {
    private final GrpcServer vertxServer;
    private final GrpcServerOptions options;
    /** [client streams, server streams] by "service/method". */
    private final Map<String, boolean[]> kinds = new HashMap<>();
    /** By request path; filled while services are bound, read-only afterwards. */
    private final Map<String, Route<?, ?>> routes = new HashMap<>();
    private final List<Service> services = new ArrayList<>();
    private final CallAdmission admission;

    /**
     * {@code admission}: etcd's interceptors, run before a call's handler (null: every call runs);
     * {@code files}: the proto files whose services may be bound, for each method's streaming kind.
     */
    public GoGrpcServer(Vertx vertx, GrpcServerOptions options, CallAdmission admission, Descriptors.FileDescriptor... files) {
        this.admission = admission;
        this.options = new GrpcServerOptions(options);
        this.vertxServer = GrpcServer.server(vertx, this.options);
        for (Descriptors.FileDescriptor f : files) {
            for (Descriptors.ServiceDescriptor s : f.getServices()) {
                for (Descriptors.MethodDescriptor m : s.getMethods()) {
                    kinds.put(s.getFullName() + "/" + m.getName(), new boolean[] {m.isClientStreaming(), m.isServerStreaming()});
                }
            }
        }
    }

    @Override
    public void handle(HttpServerRequest req) {
        if (req.version() != HttpVersion.HTTP_2 || !protobufGrpc(req.getHeader("content-type"))) {
            vertxServer.handle(req);
            return;
        }
        Route<?, ?> route = routes.get(req.path());
        if (route == null) unknownMethod(req);
        else route.start(req);
    }

    /** grpc-go's UNIMPLEMENTED for a path no bound method has (Vert.x words it otherwise). */
    private void unknownMethod(HttpServerRequest req) {
        String path = req.path();
        int slash = path.lastIndexOf('/');
        String service = slash > 0 ? path.substring(1, slash) : "";
        boolean knownService = slash > 0 && routes.keySet().stream().anyMatch(p -> p.startsWith("/" + service + "/"));
        String text = knownService ? "unknown method " + path.substring(slash + 1) + " for service " + service
            : "unknown service " + (slash > 0 ? service : path);
        req.response().setStatusCode(200).putHeader("content-type", "application/grpc")
            .putHeader("grpc-status", String.valueOf(GrpcStatus.UNIMPLEMENTED.code))
            .putHeader("grpc-message", io.vertx.grpc.common.impl.Utils.utf8PercentEncode(text)).end(); // GoGrpcHeaders re-encodes it as Go does
    }

    private static boolean protobufGrpc(String contentType) {
        return "application/grpc".equals(contentType) || "application/grpc+proto".equals(contentType);
    }

    private final class Route<Req, Resp> {
        final GrpcMessageDecoder<Req> decoder;
        final GrpcMessageEncoder<Resp> encoder;
        final Handler<GrpcServerRequest<Req, Resp>> handler;
        final boolean clientStreams;
        final boolean serverStreams;

        Route(ServiceMethod<Req, Resp> method, Handler<GrpcServerRequest<Req, Resp>> handler, boolean[] kind) {
            this.decoder = method.decoder();
            this.encoder = method.encoder();
            this.handler = handler;
            this.clientStreams = kind[0];
            this.serverStreams = kind[1];
        }

        void start(HttpServerRequest http) {
            ContextInternal context = ((HttpServerRequestInternal) http).context();
            GoGrpcCall<Req, Resp> call = new GoGrpcCall<>(context, http, decoder, clientStreams, serverStreams, admission);
            GoGrpcResponse<Req, Resp> response = new GoGrpcResponse<>(context, call, http.response(), encoder);
            response.format(WireFormat.PROTOBUF);
            response.init();
            long limit = options.getMaxMessageSize();
            call.init(response, false, limit); // the deadline is the call's own (GoGrpcCall.scheduleDeadline)
            if (options.getScheduleDeadlineAutomatically()) call.scheduleDeadline();
            call.invalidMessageHandler(e -> {
                if (e instanceof MessageSizeOverflowException over) call.refuseOversize(over.messageSize(), limit);
                else call.refuse(GrpcStatus.INTERNAL, "grpc: malformed message");
            });
            if (admission != null && (clientStreams || serverStreams)) {
                // grpc-go runs etcd's stream interceptor before the handler reads a message
                io.vertx.grpc.server.StatusException no = admission.refuseStream(http.headers());
                if (no != null) {
                    call.refuse(no.status(), no.message());
                    return;
                }
                admission.opened(call, http.headers());
            }
            String encoding = http.getHeader("grpc-encoding");
            if (encoding != null && !encoding.equals("identity")) {
                call.refuse(GrpcStatus.UNIMPLEMENTED, "grpc: Decompressor is not installed for grpc-encoding \"" + encoding + "\"");
                return;
            }
            context.dispatch(call, c -> {
                try {
                    handler.handle(c);
                } catch (Exception e) {
                    c.response().fail(e);
                }
            });
        }
    }

    @Override
    public GrpcServer callHandler(Handler<GrpcServerRequest<Buffer, Buffer>> handler) {
        vertxServer.callHandler(handler);
        return this;
    }

    @Override
    public <Req, Resp> GrpcServer callHandler(ServiceMethod<Req, Resp> method, Handler<GrpcServerRequest<Req, Resp>> handler) {
        vertxServer.callHandler(method, handler);
        String path = "/" + method.fullMethodName();
        if (handler == null) {
            routes.remove(path);
        } else {
            boolean[] kind = kinds.get(method.serviceName().fullyQualifiedName() + "/" + method.methodName());
            if (kind == null) throw new IllegalArgumentException("no descriptor for " + path + " (its proto file was not given)");
            routes.put(path, new Route<>(method, handler, kind));
        }
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
