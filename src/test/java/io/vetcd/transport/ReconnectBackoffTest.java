package io.vetcd.transport;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ReconnectBackoffTest {
    @Test
    void doublesUpToTheCeilingAndStartsOverAfterSuccess() {
        ReconnectBackoff b = new ReconnectBackoff(100, 2000);
        long[] expected = {100, 200, 400, 800, 1600, 2000, 2000};
        for (long e : expected) assertEquals(e, b.next());
        b.reset();
        assertEquals(100, b.next());
    }
}
