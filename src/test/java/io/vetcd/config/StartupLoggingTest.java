package io.vetcd.config;

import ch.qos.logback.classic.LoggerContext;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Logging before LogSetup.apply: what the removed logback.xml configured, set up in code. */
class StartupLoggingTest {

    @Test
    void earlyLinesAreZapJsonOnStderrAtInfo() {
        LoggerContext ctx = new LoggerContext();
        try {
            StartupLogging.install(ctx);
            ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            assertEquals(ch.qos.logback.classic.Level.INFO, root.getLevel());
            assertEquals(ch.qos.logback.classic.Level.INFO, ctx.getLogger("io.netty").getLevel());
            var stderr = (ch.qos.logback.core.ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent>) root.getAppender("STDERR");
            assertEquals("System.err", stderr.getTarget());
            assertTrue(stderr.isStarted());
            var event = new ch.qos.logback.classic.spi.LoggingEvent("x", ctx.getLogger("etcdmain"),
                ch.qos.logback.classic.Level.INFO, "loaded server configuration", null, null);
            JsonObject line = new JsonObject(new String(stderr.getEncoder().encode(event), StandardCharsets.UTF_8).strip());
            assertEquals("info", line.getString("level"));
            assertEquals("loaded server configuration", line.getString("msg"));
            assertTrue(line.getString("ts").endsWith("Z"));
            assertFalse(ctx.getLogger("etcdmain").isDebugEnabled());
        } finally {
            ctx.stop();
        }
    }

    @Test
    void testsAndAnExplicitConfigurationFileKeepLogbackOwnConfigurators() {
        // logback-test.xml is on this class path: the tests' own pattern layout stays in charge
        LoggerContext ctx = new LoggerContext();
        StartupLogging s = new StartupLogging();
        s.setContext(ctx);
        assertEquals(ch.qos.logback.classic.spi.Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY, s.configure(ctx));
        assertFalse(ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext());
    }
}
