package io.vetcd.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

class RangeAnswerBudgetTest {

    @Test
    void answersBeyondTheBudgetWaitInArrivalOrderAndAreAdmittedAsOthersFinish() {
        RangeAnswerBudget b = new RangeAnswerBudget(100);
        Future<Void> a = b.acquire(60);
        Future<Void> c = b.acquire(60);   // does not fit: waits
        Future<Void> d = b.acquire(10);   // would fit, but must not overtake c
        assertTrue(a.succeeded());
        assertFalse(c.isComplete());
        assertFalse(d.isComplete());
        assertEquals(40, b.available());
        b.release(60);
        assertTrue(c.succeeded());
        assertTrue(d.succeeded());
        assertEquals(30, b.available());
        b.release(60);
        b.release(10);
        assertEquals(100, b.available());
    }

    @Test
    void anAnswerBiggerThanTheBudgetGetsItAllOnceAlone() {
        RangeAnswerBudget b = new RangeAnswerBudget(100);
        Future<Void> small = b.acquire(30);
        assertEquals(100, b.grant(500));
        Future<Void> huge = b.acquire(500);
        assertFalse(huge.isComplete());
        b.release(30);
        assertTrue(small.succeeded());
        assertTrue(huge.succeeded());
        assertEquals(0, b.available());
    }

    @Test
    void sizesParseWithSuffixes() {
        assertEquals(64L << 20, RangeAnswerBudget.parseSize("64m"));
        assertEquals(1L << 30, RangeAnswerBudget.parseSize("1G"));
        assertEquals(4096, RangeAnswerBudget.parseSize("4k"));
        assertEquals(123, RangeAnswerBudget.parseSize("123"));
        System.setProperty(RangeAnswerBudget.PROPERTY, "lots");
        try {
            assertThrows(IllegalArgumentException.class, RangeAnswerBudget::configured);
        } finally {
            System.clearProperty(RangeAnswerBudget.PROPERTY);
        }
        assertEquals(RangeAnswerBudget.DEFAULT_BYTES, RangeAnswerBudget.configured());
    }
}
