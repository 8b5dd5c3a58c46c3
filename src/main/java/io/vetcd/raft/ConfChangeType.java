package io.vetcd.raft;

/** Kinds of single-node membership change. Codes are persisted inside CONF_CHANGE entries. */
public enum ConfChangeType {
    ADD_NODE(0), REMOVE_NODE(1), UPDATE_NODE(2), ADD_LEARNER_NODE(3);

    public final int code;

    ConfChangeType(int code) { this.code = code; }

    public static ConfChangeType ofCode(int code) {
        return switch (code) {
            case 0 -> ADD_NODE;
            case 1 -> REMOVE_NODE;
            case 2 -> UPDATE_NODE;
            case 3 -> ADD_LEARNER_NODE;
            default -> throw new IllegalArgumentException("unknown conf change type " + code);
        };
    }
}
