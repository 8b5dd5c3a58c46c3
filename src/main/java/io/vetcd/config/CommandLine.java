package io.vetcd.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The command line after Go-style flag parsing.
 *
 * @param flags      explicitly given table flags, name to raw string value (last occurrence wins)
 * @param conf       vetcd's {@code -conf FILE} (JSON or sectioned etcd.conf), if given
 * @param configFile etcd's {@code --config-file FILE} (YAML), if given
 * @param warnings   one line per ignored legacy flag
 */
public record CommandLine(Map<String, String> flags, Optional<String> conf, Optional<String> configFile,
    List<String> warnings) {
}
