package io.vetcd.api;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.RoutingContext;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vetcd.auth.AuthInfo;
import io.vetcd.server.EtcdServer;

import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Who is calling: the user of the {@code token} (or {@code authorization}) metadata a client sent,
 * else, with {@code --client-cert-auth}, the common name of its verified client certificate (gRPC
 * only: requests through the JSON gateway never take a user from the certificate, as in etcd).
 */
public final class Callers {
    private final EtcdServer server;
    private final boolean clientCertAuth;

    public Callers(EtcdServer server, boolean clientCertAuth) {
        this.server = server;
        this.clientCertAuth = clientCertAuth;
    }

    public Future<AuthInfo> of(GrpcServerRequest<?, ?> req) {
        String token = token(req.headers());
        String cn = token == null && clientCertAuth ? commonName(req.connection()) : null;
        return server.authInfo(token, cn);
    }

    public Future<AuthInfo> of(RoutingContext ctx) {
        return server.authInfo(token(ctx.request().headers()), null);
    }

    private static String token(MultiMap headers) {
        String t = headers.get("token");
        if (t == null) t = headers.get("authorization");
        return t;
    }

    /** The CN of the client's leaf certificate, or null (no TLS, no certificate, no CN). */
    static String commonName(HttpConnection conn) {
        if (conn == null || !conn.isSsl()) return null;
        try {
            List<Certificate> certs = conn.peerCertificates();
            if (certs == null || certs.isEmpty() || !(certs.get(0) instanceof X509Certificate x)) return null;
            for (Rdn rdn : new LdapName(x.getSubjectX500Principal().getName()).getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType())) return String.valueOf(rdn.getValue());
            }
            return null;
        } catch (SSLPeerUnverifiedException | javax.naming.InvalidNameException e) {
            return null;
        }
    }
}
