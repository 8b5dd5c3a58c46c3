import java.net.URI;
import java.net.http.*;
import java.util.concurrent.*;
public class Par {
    public static void main(String[] a) throws Exception {
        int threads = Integer.parseInt(a[1]), per = Integer.parseInt(a[2]);
        ConcurrentHashMap<String,Integer> kinds = new ConcurrentHashMap<>();
        ExecutorService ex = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) ex.submit(() -> {
            for (int i = 0; i < per; i++) {
                HttpClient c = HttpClient.newHttpClient();
                try {
                    var r = c.send(HttpRequest.newBuilder(URI.create(a[0])).build(), HttpResponse.BodyHandlers.ofString());
                    kinds.merge(r.version() + " " + r.statusCode(), 1, Integer::sum);
                } catch (Exception e) { kinds.merge("FAIL " + e.getMessage(), 1, Integer::sum); }
            }
        });
        ex.shutdown(); ex.awaitTermination(5, TimeUnit.MINUTES);
        System.out.println(new java.util.TreeMap<>(kinds));
        System.exit(0);
    }
}
