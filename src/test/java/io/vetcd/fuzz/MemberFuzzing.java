package io.vetcd.fuzz;

import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.PropagationMode;

/**
 * What the fuzzers of a running member share: one {@link FuzzedMember} per test class, an HTTP/1.1
 * client without keep-alive for the JSON gateway and the peer routes (one connection per request,
 * so one broken exchange cannot spoil the next), the intact check after every property, and the
 * tries and seed of {@link FuzzBudget}. Test classes run one after another, so the static member
 * is the running class's.
 */
@AddLifecycleHook(value = FuzzBudget.class, propagateTo = PropagationMode.ALL_DESCENDANTS)
abstract class MemberFuzzing {
    static FuzzedMember member;
    static HttpClient http;

    @BeforeContainer
    static void startMember() throws Exception {
        member = FuzzedMember.start();
        http = member.member.vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    }

    @AfterContainer
    static void stopMember() {
        try {
            if (http != null) http.close().await();
        } finally {
            if (member != null) member.close();
            http = null;
            member = null;
        }
    }

    @AfterProperty
    void memberIsIntact() throws Exception {
        member.assertIntact();
    }
}
