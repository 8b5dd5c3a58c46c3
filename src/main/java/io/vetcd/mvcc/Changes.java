package io.vetcd.mvcc;

import io.vetcd.pb.mvcc.Event;
import java.util.List;

/** All change events of one committed revision, in sub-revision order. */
public record Changes(long revision, List<Event> events) {
}
