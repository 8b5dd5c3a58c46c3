package io.vetcd.metrics;

/**
 * go-grpc-prometheus's server metrics (etcd registers them on its gRPC server): started,
 * handled by status code, messages received and sent, and with {@code --metrics extensive} the
 * handling-time histogram. Every registered method's series exist from start-up, at zero, as
 * go-grpc-prometheus's InitializeMetrics makes them.
 */
public final class GrpcServerMetrics {
    /** grpc-go's codes.Code names, indexed by code number. */
    static final String[] CODE_NAMES = {
        "OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound", "AlreadyExists",
        "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange", "Unimplemented",
        "Internal", "Unavailable", "DataLoss", "Unauthenticated"};
    public static final int CANCELED = 1;
    public static final int UNKNOWN = 2;

    /** The bound series of one method. */
    public static final class Method {
        final Counter started;
        final Counter[] handled = new Counter[CODE_NAMES.length];
        final Counter received;
        final Counter sent;
        final Histogram handlingSeconds; // null unless extensive
        final NetworkMetrics network;

        Method(GrpcServerMetrics m, String type, String service, String method) {
            started = m.started.labels(type, service, method);
            for (int c = 0; c < CODE_NAMES.length; c++) handled[c] = m.handled.labels(type, service, method, CODE_NAMES[c]);
            received = m.received.labels(type, service, method);
            sent = m.sent.labels(type, service, method);
            handlingSeconds = m.handlingSeconds == null ? null : m.handlingSeconds.labels(type, service, method);
            network = m.network;
        }

        public void started() { started.inc(); }

        /** The call ended with this gRPC status code; {@code startNanos} is when it started. */
        public void handled(int code, long startNanos) {
            handled[code >= 0 && code < handled.length ? code : UNKNOWN].inc();
            if (handlingSeconds != null) handlingSeconds.observeSecondsSince(startNanos);
        }

        public void received(int bytes) {
            received.inc();
            network.clientGrpcReceivedBytes.add(bytes);
        }

        public void sent(int bytes) {
            sent.inc();
            network.clientGrpcSentBytes.add(bytes);
        }
    }

    private final MetricFamily<Counter> started;
    private final MetricFamily<Counter> handled;
    private final MetricFamily<Counter> received;
    private final MetricFamily<Counter> sent;
    private final MetricFamily<Histogram> handlingSeconds;
    private final NetworkMetrics network;

    public GrpcServerMetrics(MetricRegistry r, NetworkMetrics network, boolean extensive) {
        this.network = network;
        String[] labels = {"grpc_type", "grpc_service", "grpc_method"};
        started = r.counterVec("grpc_server_started_total", "Total number of RPCs started on the server.", labels);
        handled = r.counterVec("grpc_server_handled_total",
            "Total number of RPCs completed on the server, regardless of success or failure.",
            "grpc_type", "grpc_service", "grpc_method", "grpc_code");
        received = r.counterVec("grpc_server_msg_received_total", "Total number of RPC stream messages received on the server.", labels);
        sent = r.counterVec("grpc_server_msg_sent_total", "Total number of gRPC stream messages sent by the server.", labels);
        handlingSeconds = extensive
            ? r.histogramVec("grpc_server_handling_seconds",
                "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.",
                Histogram.DEFAULT_BUCKETS, labels)
            : null;
    }

    /** Binds (and so creates, at zero) every series of one method; {@code type} is unary, client_stream, server_stream or bidi_stream. */
    public Method method(String type, String service, String method) {
        return new Method(this, type, service, method);
    }
}
