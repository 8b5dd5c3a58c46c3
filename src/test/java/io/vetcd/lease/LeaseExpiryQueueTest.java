package io.vetcd.lease;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeaseExpiryQueueTest {

    @Test
    void upsertMovesTheSingleEntryOfALease() {
        LeaseExpiryQueue q = new LeaseExpiryQueue();
        q.upsert(1, 100);
        q.upsert(2, 50);
        q.upsert(3, 75);
        assertEquals(2, q.peekId());
        q.upsert(2, 200); // renewed: moves back, no second entry
        assertEquals(3, q.size());
        assertEquals(3, q.peekId());
        q.upsert(1, 10);
        assertEquals(1, q.peekId());
        q.remove(1);
        assertFalse(q.contains(1));
        assertEquals(3, q.peekId());
        assertEquals(75, q.peekExpiry());
    }

    @Test
    void behavesLikeASortedMapUnderRandomOperations() {
        Random rnd = new Random(42);
        LeaseExpiryQueue q = new LeaseExpiryQueue();
        Map<Long, Long> model = new HashMap<>();
        for (int step = 0; step < 20_000; step++) {
            long id = rnd.nextInt(200);
            switch (rnd.nextInt(3)) {
                case 0, 1 -> {
                    long e = rnd.nextInt(1000);
                    q.upsert(id, e);
                    model.put(id, e);
                }
                default -> {
                    q.remove(id);
                    model.remove(id);
                }
            }
            assertEquals(model.size(), q.size());
            if (!model.isEmpty()) {
                long min = model.values().stream().mapToLong(Long::longValue).min().orElseThrow();
                assertEquals(min, q.peekExpiry(), "step " + step);
                assertEquals(min, model.get(q.peekId()));
            }
        }
        // draining yields expiries in order
        List<Long> drained = new ArrayList<>();
        while (!q.isEmpty()) {
            drained.add(q.peekExpiry());
            q.remove(q.peekId());
        }
        for (int i = 1; i < drained.size(); i++) assertTrue(drained.get(i - 1) <= drained.get(i));
    }
}
