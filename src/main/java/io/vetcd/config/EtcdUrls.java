package io.vetcd.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** etcd's URL rules (types.NewURLs): scheme http/https/unix/unixs, "host:port", no path. */
public final class EtcdUrls {

  private static final Set<String> SCHEMES = Set.of("http", "https", "unix", "unixs");

  private EtcdUrls() {
  }

  /** Parses a comma-separated list, dropping duplicates but keeping order. Empty text gives an empty list. */
  public static List<URI> parseList(String flag, String text) {
    Set<URI> out = new LinkedHashSet<>();
    if (text.isBlank()) {
      return List.of();
    }
    for (String part : text.split(",")) {
      out.add(parse(flag, part.trim(), text));
    }
    return List.copyOf(out);
  }

  /** Parses one URL; errors name the flag, the whole value and the rule broken. */
  public static URI parse(String flag, String url, String wholeValue) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw ConfigException.invalidValue(flag, wholeValue, "\"" + url + "\" is not a URL (" + e.getReason() + ")");
    }
    String scheme = uri.getScheme();
    if (scheme == null || !SCHEMES.contains(scheme)) {
      throw ConfigException.invalidValue(flag, wholeValue,
          "URL scheme must be http, https, unix, or unixs: " + url);
    }
    String authority = uri.getRawAuthority();
    if (authority == null || !hasPort(authority)) {
      throw ConfigException.invalidValue(flag, wholeValue,
          "URL address does not have the form \"host:port\": " + url);
    }
    if (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) {
      throw ConfigException.invalidValue(flag, wholeValue, "URL must not contain a path: " + url);
    }
    return uri;
  }

  /**
   * Parses etcd's initial-cluster syntax {@code name1=url1,name1=url2,name2=url3} into
   * name to URLs, in order of first appearance.
   */
  public static Map<String, List<URI>> parseCluster(String flag, String text) {
    Map<String, List<URI>> out = new LinkedHashMap<>();
    if (text.isBlank()) {
      return out;
    }
    for (String part : text.split(",")) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw ConfigException.invalidValue(flag, text, "expected name=URL pairs separated by commas, got \"" + part + "\"");
      }
      String name = part.substring(0, eq).trim();
      URI uri = parse(flag, part.substring(eq + 1).trim(), text);
      List<URI> urls = out.computeIfAbsent(name, k -> new ArrayList<>());
      if (!urls.contains(uri)) {
        urls.add(uri);
      }
    }
    out.replaceAll((k, v) -> List.copyOf(v));
    return java.util.Collections.unmodifiableMap(out);
  }

  /** Host part of a URL, without IPv6 brackets. */
  public static String host(URI uri) {
    String authority = uri.getRawAuthority();
    int at = authority.lastIndexOf('@');
    String hostPort = at >= 0 ? authority.substring(at + 1) : authority;
    if (hostPort.startsWith("[")) {
      return hostPort.substring(1, hostPort.indexOf(']'));
    }
    int colon = hostPort.lastIndexOf(':');
    return colon >= 0 ? hostPort.substring(0, colon) : hostPort;
  }

  private static boolean hasPort(String authority) {
    int at = authority.lastIndexOf('@');
    String hostPort = at >= 0 ? authority.substring(at + 1) : authority;
    int close = hostPort.lastIndexOf(']');
    int colon = hostPort.lastIndexOf(':');
    return colon > close;
  }
}
