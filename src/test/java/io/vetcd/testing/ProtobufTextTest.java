package io.vetcd.testing;

import com.google.protobuf.ByteString;
import io.vetcd.pb.etcdserver.RangeResponse;
import io.vetcd.pb.etcdserver.ResponseHeader;
import io.vetcd.pb.mvcc.KeyValue;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ProtobufTextTest {
    @Test
    void nestedMessagesAndStringsAreRenderedByFieldNumber() {
        RangeResponse r = RangeResponse.newBuilder()
            .setHeader(ResponseHeader.newBuilder().setClusterId(-2L).setRevision(7).setRaftTerm(2))
            .addKvs(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("a")).setValue(ByteString.copyFromUtf8("1"))
                .setCreateRevision(5).setModRevision(7).setVersion(2))
            .setCount(1)
            .build();
        assertEquals("""
            1 {
              1: 18446744073709551614
              3: 7
              4: 2
            }
            2 {
              1: "a"
              2: 5
              3: 7
              4: 2
              5: "1"
            }
            4: 1
            """, ProtobufText.render(r.toByteArray()));
    }
}
