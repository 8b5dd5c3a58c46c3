package io.vetcd.api;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GoGrpcMessageTest {
    @Test
    void printableAsciiVerbatimOtherBytesAndPercentEncoded() {
        assertEquals("etcdserver: requested lease not found", GoGrpcMessage.encode("etcdserver: requested lease not found"));
        assertEquals("a+b*c~d%25e%0Af%C3%A4", GoGrpcMessage.encode("a+b*c~d%e\nfä"));
    }

    @Test
    void vertxEncodingIsReEncodedAsGoDoes() {
        assertEquals("etcdserver: x + y ~ z%25 %C3%A4", GoGrpcMessage.fromVertxEncoded("etcdserver%3A%20x%20%2B%20y%20%7E%20z%25%20%C3%A4"));
        assertEquals("a%b ä", GoGrpcMessage.decode(GoGrpcMessage.encode("a%b ä")));
    }
}
