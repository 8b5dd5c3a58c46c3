package io.vetcd.api;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;

/**
 * etcd's accessController in front of the client port's HTTP paths (/version, /health, /metrics,
 * the /v3 JSON gateway), gRPC aside:
 * <ul>
 * <li>{@code --host-whitelist}: on a plain-HTTP connection a Host outside the list is refused with
 *     421 and etcd's CVE-2018-5702 text (empty or {@code *} allows all);</li>
 * <li>{@code --cors}: the CORS headers for {@code *} when allowed, else for the request's Origin
 *     when it is in the list (empty or {@code *} allows all);</li>
 * <li>{@code OPTIONS} is answered 200 with no body.</li>
 * </ul>
 */
public final class HttpAccessControl implements Handler<RoutingContext> {
    private static final Logger log = LoggerFactory.getLogger("embed");

    private final Set<String> cors;
    private final Set<String> hostWhitelist;

    public HttpAccessControl(List<String> cors, List<String> hostWhitelist) {
        this.cors = cors == null ? Set.of() : Set.copyOf(cors);
        this.hostWhitelist = hostWhitelist == null ? Set.of() : Set.copyOf(hostWhitelist);
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        HttpServerResponse resp = ctx.response();
        if (!req.isSSL()) {
            String host = hostname(req);
            if (!allowed(hostWhitelist, host)) {
                log.warn("rejecting HTTP request from \"{}\" to prevent DNS rebinding attacks", host);
                resp.setStatusCode(421).putHeader("Content-Type", "text/plain; charset=utf-8")
                    .putHeader("X-Content-Type-Options", "nosniff").end(cve20185702(host) + "\n");
                return;
            }
        }
        if (allowed(cors, "*")) {
            addCorsHeaders(resp, "*");
        } else {
            String origin = req.getHeader("Origin");
            if (origin != null && allowed(cors, origin)) addCorsHeaders(resp, origin);
        }
        if (req.method() == HttpMethod.OPTIONS) {
            resp.setStatusCode(200).end();
            return;
        }
        ctx.next();
    }

    private static boolean allowed(Set<String> list, String value) {
        return list.isEmpty() || list.contains("*") || list.contains(value);
    }

    /** Go's httputil.GetHostname: the Host header without its port. */
    private static String hostname(HttpServerRequest req) {
        HostAndPort a = req.authority();
        if (a != null) return a.host();
        String h = req.getHeader("Host");
        return h == null ? "" : h;
    }

    private static void addCorsHeaders(HttpServerResponse resp, String origin) {
        resp.headers().add("Access-Control-Allow-Methods", "POST, GET, OPTIONS, PUT, DELETE");
        resp.headers().add("Access-Control-Allow-Origin", origin);
        resp.headers().add("Access-Control-Allow-Headers", "accept, content-type, authorization");
    }

    private static String cve20185702(String host) {
        return "\netcd received your request, but the Host header was unrecognized.\n\n"
            + "To fix this, choose one of the following options:\n"
            + "- Enable TLS, then any HTTPS request will be allowed.\n"
            + "- Add the hostname you want to use to the whitelist in settings.\n"
            + "  - e.g. etcd --host-whitelist \"" + host + "\"\n\n"
            + "This requirement has been added to help prevent \"DNS Rebinding\" attacks (CVE-2018-5702).\n";
    }
}
