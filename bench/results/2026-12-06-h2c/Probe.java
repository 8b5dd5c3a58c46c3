import java.net.URI;
import java.net.http.*;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.*;

public class Probe {
    static HttpClient client(String v) throws Exception {
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, new TrustManager[]{new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] c, String a) {}
            public void checkServerTrusted(X509Certificate[] c, String a) {}
            public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }}, null);
        HttpClient.Builder b = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5));
        if (v.equals("h2")) b.version(HttpClient.Version.HTTP_2);
        if (v.equals("h1")) b.version(HttpClient.Version.HTTP_1_1);
        return b.build();
    }
    public static void main(String[] a) throws Exception {
        String mode = a[0];
        if (mode.equals("load")) { // load base n size
            HttpClient c = client("h1");
            int n = Integer.parseInt(a[2]), size = Integer.parseInt(a[3]);
            String val = java.util.Base64.getEncoder().encodeToString("x".repeat(size).getBytes());
            for (int i = 0; i < n; i++) {
                String key = java.util.Base64.getEncoder().encodeToString(String.format("big/%05d", i).getBytes());
                var r = c.send(HttpRequest.newBuilder(URI.create(a[1] + "/v3/kv/put"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + key + "\",\"value\":\"" + val + "\"}")).build(),
                    HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() != 200) throw new IllegalStateException("put " + r.statusCode());
            }
            System.out.println("loaded " + n);
            return;
        }
        // mode url [body] [timeoutSec]
        String url = a[1];
        HttpClient c = client(mode);
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(a.length > 3 ? Integer.parseInt(a[3]) : 20));
        if (a.length > 2 && !a[2].isEmpty()) rb.POST(HttpRequest.BodyPublishers.ofString(a[2]));
        long t0 = System.nanoTime();
        try {
            if (url.contains("/v3/watch")) {
                var r = c.send(rb.build(), HttpResponse.BodyHandlers.ofLines());
                var it = r.body().iterator();
                String first = it.hasNext() ? it.next() : "<eof>";
                System.out.printf("%s %d first-line=%s%n", r.version(), r.statusCode(), first.length() > 80 ? first.substring(0, 80) : first);
                System.exit(0);
            }
            var r = c.send(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
            String b = new String(r.body());
            System.out.printf("%s %d bytes=%d %s (%d ms)%n", r.version(), r.statusCode(), r.body().length,
                b.length() > 60 ? b.substring(0, 60).replace('\n', ' ') : b.replace('\n', ' '), (System.nanoTime() - t0) / 1_000_000);
        } catch (Exception e) {
            System.out.printf("FAIL %s: %s (%d ms)%n", e.getClass().getSimpleName(), e.getMessage(), (System.nanoTime() - t0) / 1_000_000);
        }
        System.exit(0);
    }
}
