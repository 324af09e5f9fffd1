package io.trolserve.engine;

/**
 * The scheduler's side of a request: where it is in its lifecycle, how many of its tokens have
 * K/V in the cache, and the blocks that hold them, one table per pass (pass 2 only while a
 * traversed prompt prefills, TROL_SPEC §5). Only {@link Scheduler} and {@link KvCacheManager}
 * change it; the model runner and the step checks read it.
 */
final class SchedulingState {

    private RequestState state = RequestState.WAITING;
    private int numComputed;
    private final BlockTable pass1 = new BlockTable();
    private final BlockTable pass2 = new BlockTable();

    RequestState state() {
        return state;
    }

    void moveTo(RequestState next) {
        this.state = next;
    }

    /** Leading tokens whose K/V are in the cache. */
    int numComputed() {
        return numComputed;
    }

    void computedUpTo(int end) {
        this.numComputed = end;
    }

    /** Pass-1 K/V of every token computed. */
    BlockTable pass1() {
        return pass1;
    }

    /** Pass-2 K/V of the prompt while it prefills: later chunks' pass 2 attends to it. */
    BlockTable pass2() {
        return pass2;
    }

    boolean holdsBlocks() {
        return !pass1.isEmpty() || !pass2.isEmpty();
    }
}
