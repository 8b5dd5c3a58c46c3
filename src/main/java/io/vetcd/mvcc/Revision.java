package io.vetcd.mvcc;

/**
 * A point in the store's history: the main revision (one per write transaction) and the
 * sub-revision (position of a change inside that transaction). Ordered by main, then sub.
 */
public record Revision(long main, long sub) implements Comparable<Revision> {

    @Override
    public int compareTo(Revision o) {
        int c = Long.compare(main, o.main);
        return c != 0 ? c : Long.compare(sub, o.sub);
    }
}
