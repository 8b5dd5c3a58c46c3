package io.vetcd.node;

import io.vertx.core.Vertx;
import io.vetcd.config.ConfigLoader;
import io.vetcd.config.EtcdConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The launcher's one Vert.x: the one that read the configuration, unless the configuration sizes it otherwise. */
class MemberVertxTest {

    @Test
    void theVertxThatReadTheConfigurationRunsTheMemberWithDefaultSizes() {
        Vertx made = MemberVertx.withDefaultSizes();
        try {
            EtcdConfig cfg = ConfigLoader.loadSync(made, List.of("--name", "a"), Map.of());
            assertSame(made, MemberVertx.sizedFor(made, cfg.vertx()));
            int loops = 0;
            for (var ignored : ((io.vertx.core.internal.VertxInternal) made).eventLoopGroup()) loops++;
            org.junit.jupiter.api.Assertions.assertEquals(Runtime.getRuntime().availableProcessors(), loops);
        } finally {
            made.close().await();
        }
    }

    @Test
    void otherPoolSizesGetAVertxOfTheirOwn() {
        Vertx made = MemberVertx.withDefaultSizes();
        int other = MemberVertx.defaultSize() + 1;
        EtcdConfig cfg = ConfigLoader.loadSync(made, List.of("--vertx-event-loop-pool-size", String.valueOf(other)), Map.of());
        Vertx sized = MemberVertx.sizedFor(made, cfg.vertx());
        try {
            assertNotSame(made, sized);
            int loops = 0;
            for (var ignored : ((io.vertx.core.internal.VertxInternal) sized).eventLoopGroup()) loops++;
            org.junit.jupiter.api.Assertions.assertEquals(other, loops, "--vertx-event-loop-pool-size");
        } finally {
            sized.close().await();
        }
    }
}
