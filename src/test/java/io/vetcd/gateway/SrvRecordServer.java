package io.vetcd.gateway;

import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * A DNS server on loopback for tests that answers SRV queries from a fixed table (and NXDOMAIN for anything else),
 * over UDP, on an ephemeral port. Just enough of RFC 1035 for a resolver asking one question.
 */
final class SrvRecordServer implements AutoCloseable {
  record Srv(int priority, int weight, int port, String target) {
  }

  private final DatagramSocket socket;
  private final Map<String, List<Srv>> records;
  private final Thread thread;

  SrvRecordServer(Map<String, List<Srv>> records) throws SocketException {
    this.records = records;
    this.socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    this.thread = new Thread(this::serve, "srv-record-server");
    thread.setDaemon(true);
    thread.start();
  }

  int port() {
    return socket.getLocalPort();
  }

  private void serve() {
    byte[] buf = new byte[512];
    while (!socket.isClosed()) {
      try {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.receive(p);
        byte[] answer = answer(ByteBuffer.wrap(p.getData(), 0, p.getLength()));
        socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
      } catch (java.io.IOException e) {
        return; // closed
      }
    }
  }

  private byte[] answer(ByteBuffer q) {
    int id = q.getShort(0) & 0xffff;
    int pos = 12;
    StringBuilder name = new StringBuilder();
    while (q.get(pos) != 0) {
      int len = q.get(pos) & 0xff;
      if (name.length() > 0) name.append('.');
      for (int i = 1; i <= len; i++) name.append((char) q.get(pos + i));
      pos += len + 1;
    }
    int qtype = q.getShort(pos + 1) & 0xffff;
    int questionEnd = pos + 5;
    List<Srv> srvs = qtype == 33 ? records.get(name.toString().toLowerCase()) : null;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer h = ByteBuffer.allocate(12);
    h.putShort((short) id).putShort((short) (srvs == null ? 0x8183 : 0x8180)).putShort((short) 1)
        .putShort((short) (srvs == null ? 0 : srvs.size())).putShort((short) 0).putShort((short) 0);
    out.writeBytes(h.array());
    out.write(q.array(), q.arrayOffset() + 12, questionEnd - 12);
    if (srvs != null) {
      for (Srv s : srvs) {
        ByteArrayOutputStream target = new ByteArrayOutputStream();
        for (String label : s.target().split("\\.")) {
          target.write(label.length());
          target.writeBytes(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        target.write(0);
        ByteBuffer rr = ByteBuffer.allocate(12 + 6 + target.size());
        rr.putShort((short) 0xC00C).putShort((short) 33).putShort((short) 1).putInt(60)
            .putShort((short) (6 + target.size())).putShort((short) s.priority()).putShort((short) s.weight())
            .putShort((short) s.port()).put(target.toByteArray());
        out.writeBytes(rr.array());
      }
    }
    return out.toByteArray();
  }

  @Override
  public void close() {
    socket.close();
  }
}
