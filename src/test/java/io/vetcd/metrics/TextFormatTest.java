package io.vetcd.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextFormatTest {
    @Test
    void numbersAreWrittenAsGoWritesThem() {
        assertEquals("2", TextFormat.formatDouble(2));
        assertEquals("0", TextFormat.formatDouble(0));
        assertEquals("0.001", TextFormat.formatDouble(0.001));
        assertEquals("8.192", TextFormat.formatDouble(0.001 * 8192));
        assertEquals("999999", TextFormat.formatDouble(999999));
        assertEquals("1.048576e+06", TextFormat.formatDouble(1048576));
        assertEquals("2.4666112e+07", TextFormat.formatDouble(24666112));
        assertEquals("1e-05", TextFormat.formatDouble(0.00001));
        assertEquals("0.0001", TextFormat.formatDouble(0.0001));
        assertEquals("-1.5", TextFormat.formatDouble(-1.5));
        assertEquals("+Inf", TextFormat.formatDouble(Double.POSITIVE_INFINITY));
        assertEquals("NaN", TextFormat.formatDouble(Double.NaN));
    }

    @Test
    void familiesAndLabelsAreSortedAndHistogramsCumulative() {
        MetricRegistry r = new MetricRegistry();
        r.counterVec("z_total", "last", "b", "a").labels("2", "1").add(3);
        r.gauge("a_gauge_total", "a gauge whose name ends in _total, as etcd has").set(5);
        Histogram h = r.histogram("m_seconds", "h", Histogram.exponentialBuckets(0.001, 2, 3));
        h.observe(0.0015);
        h.observe(0.003);
        h.observe(1);
        r.counterVec("unused_total", "never written: no children");
        String text = r.scrape();
        assertEquals("""
            # HELP a_gauge_total a gauge whose name ends in _total, as etcd has
            # TYPE a_gauge_total gauge
            a_gauge_total 5
            # HELP m_seconds h
            # TYPE m_seconds histogram
            m_seconds_bucket{le="0.001"} 0
            m_seconds_bucket{le="0.002"} 1
            m_seconds_bucket{le="0.004"} 2
            m_seconds_bucket{le="+Inf"} 3
            m_seconds_sum 1.0045
            m_seconds_count 3
            # HELP z_total last
            # TYPE z_total counter
            z_total{a="1",b="2"} 3
            """, text);
        assertTrue(Scrape.parse(text).labelNames().get("z_total").contains("a"));
    }
}
