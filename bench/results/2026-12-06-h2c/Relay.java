import java.io.*;
import java.net.*;
public class Relay {
    public static void main(String[] a) throws Exception {
        ServerSocket ss = new ServerSocket(Integer.parseInt(a[0]), 50, InetAddress.getLoopbackAddress());
        int target = Integer.parseInt(a[1]); long delay = Long.parseLong(a[2]);
        while (true) {
            Socket c = ss.accept(); Socket s = new Socket("127.0.0.1", target);
            new Thread(() -> pump(c, s, 0)).start();
            new Thread(() -> pump(s, c, delay)).start();
        }
    }
    static void pump(Socket from, Socket to, long delay) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            byte[] buf = new byte[1 << 20]; boolean first = true;
            while (true) {
                int n = in.read(buf);
                if (n < 0) break;
                if (first && delay > 0) { Thread.sleep(delay); first = false;
                    while (in.available() > 0 && n < buf.length) n += in.read(buf, n, Math.min(in.available(), buf.length - n)); }
                out.write(buf, 0, n); out.flush();
            }
        } catch (Exception e) { }
        try { from.close(); to.close(); } catch (IOException e) {}
    }
}
