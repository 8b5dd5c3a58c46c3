package io.vetcd.discovery;

import java.io.IOException;
import java.util.List;

/** Asks DNS for the SRV records of a name such as {@code _etcd-server._tcp.example.com}. */
@FunctionalInterface
public interface SrvLookup {
    /** The records, or an {@link IOException} when the name has none or DNS cannot be asked. */
    List<SrvRecord> lookup(String name) throws IOException;
}
