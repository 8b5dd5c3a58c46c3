package io.vetcd.transport;

import io.vertx.core.http.HttpServerResponse;

/**
 * Error answers on the peer routes as Go's http.Error writes them: the text and a newline, plain
 * text, nosniff. etcd's peers compare the body (minus the newline) to tell errors apart.
 */
final class PeerErrors {
    private PeerErrors() {}

    /** etcd's answer (403) to a message or snapshot from a member the cluster removed; it makes the sender stop. */
    static final String FROM_REMOVED_MEMBER = "cannot process message from removed member";

    static void reply(HttpServerResponse resp, int status, String text) {
        resp.setStatusCode(status)
            .putHeader("Content-Type", "text/plain; charset=utf-8")
            .putHeader("X-Content-Type-Options", "nosniff")
            .end(text + "\n");
    }
}
