package io.vetcd.testing;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link AgainstRealEtcd} for tests that make raw HTTP/2 calls ({@link RawGrpcCall}) to both servers:
 * one client Vert.x for the whole class, separate from the member's own.
 */
public abstract class RawCallsAgainstRealEtcd extends AgainstRealEtcd {
    protected static Vertx vertx;

    @BeforeAll
    static void clientVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void closeClientVertx() {
        if (vertx != null) vertx.close();
        vertx = null;
    }
}
