package io.vetcd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class EtcdConfFileProcessorTest {

  @Test
  void parsesSectionsQuotesAndComments() {
    JsonObject json = EtcdConfFileProcessor.parse(String.join("\n",
        "# top comment",
        "#[Member]",
        "ETCD_NAME=\"infra1\"",
        "ETCD_DATA_DIR='/var/lib/etcd/infra1.etcd'",
        "#ETCD_WAL_DIR=\"\"",
        "ETCD_SNAPSHOT_COUNT=5000 # trailing comment",
        "  ETCD_CORS=\"\"",
        "",
        "#[Clustering]",
        "ETCD_INITIAL_CLUSTER=\"infra1=http://127.0.0.1:2380,infra2=http://127.0.0.1:2381\"",
        "#[Security]",
        "ETCD_PEER_AUTO_TLS=true",
        "#[Version]",
        "ETCD_VERSION=\"false\"",
        "#[Vertx]",
        "export ETCD_VERTX_WORKER_POOL_SIZE=8"));
    assertEquals("infra1", json.getJsonObject("member").getString("name"));
    assertEquals("/var/lib/etcd/infra1.etcd", json.getJsonObject("member").getString("data-dir"));
    assertEquals("5000", json.getJsonObject("member").getString("snapshot-count"));
    assertFalse(json.getJsonObject("member").containsKey("cors"), "empty values are unset");
    assertEquals("infra1=http://127.0.0.1:2380,infra2=http://127.0.0.1:2381",
        json.getJsonObject("cluster").getString("initial-cluster"));
    assertEquals("true", json.getJsonObject("security").getString("peer-auto-tls"));
    assertEquals("8", json.getJsonObject("vertx").getString("worker-pool-size"));
  }

  @Test
  void unknownKeyIsAnErrorNamingTheLine() {
    UnknownFlagException e = assertThrows(UnknownFlagException.class,
        () -> EtcdConfFileProcessor.parse("#[Member]\nETCD_NAME=a\nETCD_NAEM=b\n"));
    assertEquals("etcd.conf line 3: unknown key ETCD_NAEM", e.getMessage());
  }

  @Test
  void malformedLineAndBadValue() {
    assertEquals("etcd.conf line 1: expected KEY=\"value\", got: hello",
        assertThrows(ConfigException.class, () -> EtcdConfFileProcessor.parse("hello")).getMessage());
    assertEquals("etcd.conf line 1: invalid value \"yes\" for ETCD_ENABLE_V2: must be a boolean (true or false)",
        assertThrows(ConfigException.class, () -> EtcdConfFileProcessor.parse("ETCD_ENABLE_V2=yes")).getMessage());
  }
}
