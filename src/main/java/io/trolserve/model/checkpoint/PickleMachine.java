package io.trolserve.model.checkpoint;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates the pickle opcodes that {@code torch.save} emits (protocol 2, plus protocol 4 framing),
 * following the opcode table of CPython's {@code Lib/pickletools.py}. It runs no Python: a GLOBAL is
 * answered by {@link Globals}, which knows a fixed allowlist, and REDUCE calls only the
 * {@link PickleFunction}s that it handed out. Values are Java values: Long, Double, String, Boolean,
 * null, byte[], ArrayList (list), unmodifiable List (tuple), LinkedHashMap (dict).
 */
final class PickleMachine {

    interface Globals {
        /** The value a GLOBAL pushes; throws PickleException for anything not allowed. */
        Object resolve(String module, String name);

        /** The value a BINPERSID pushes for a persistent id. */
        Object persistentLoad(Object pid);
    }

    @FunctionalInterface
    interface PickleFunction {
        Object call(List<Object> args);
    }

    private final PickleInput in;
    private final Globals globals;
    private final List<Object> stack = new ArrayList<>();
    private final Deque<Integer> marks = new ArrayDeque<>();
    private final Map<Long, Object> memo = new HashMap<>();

    PickleMachine(byte[] code, Globals globals) {
        this.in = new PickleInput(code);
        this.globals = globals;
    }

    /** Runs to STOP and returns the pickled object. */
    Object run() {
        while (true) {
            int at = in.position();
            int op = in.u8();
            if (op == '.') { // STOP
                return pop();
            }
            boolean known = framing(op) || scalar(op) || container(op) || stackOrMemo(op) || object(op);
            if (!known) {
                throw new PickleException(String.format("unsupported pickle opcode 0x%02x at byte %d", op, at));
            }
        }
    }

    private boolean framing(int op) {
        switch (op) {
            case 0x80 -> in.u8(); // PROTO: any protocol whose opcodes we know is fine
            case 0x95 -> in.take(8); // FRAME: a hint for buffered readers, the opcodes follow inline
            default -> {
                return false;
            }
        }
        return true;
    }

    private boolean scalar(int op) {
        switch (op) {
            case 'N' -> push(null); // NONE
            case 0x88 -> push(Boolean.TRUE); // NEWTRUE
            case 0x89 -> push(Boolean.FALSE); // NEWFALSE
            case 'K' -> push(in.unsigned(1)); // BININT1
            case 'M' -> push(in.unsigned(2)); // BININT2
            case 'J' -> push(in.signed(4)); // BININT
            case 0x8a -> push(in.signed(in.unsigned(1))); // LONG1
            case 0x8b -> push(in.signed(in.unsigned(4))); // LONG4
            case 'G' -> push(in.binaryFloat()); // BINFLOAT
            case 0x8c -> push(in.utf8(in.unsigned(1))); // SHORT_BINUNICODE
            case 'X' -> push(in.utf8(in.unsigned(4))); // BINUNICODE
            case 0x8d -> push(in.utf8(in.unsigned(8))); // BINUNICODE8
            case 'C' -> push(in.take(in.unsigned(1))); // SHORT_BINBYTES
            case 'B' -> push(in.take(in.unsigned(4))); // BINBYTES
            default -> {
                return false;
            }
        }
        return true;
    }

    private boolean container(int op) {
        switch (op) {
            case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
            case ']' -> push(new ArrayList<>()); // EMPTY_LIST
            case ')' -> push(tuple(List.of())); // EMPTY_TUPLE
            case 0x85, 0x86, 0x87 -> push(tuple(popN(op - 0x84))); // TUPLE1, TUPLE2, TUPLE3
            case 't' -> push(tuple(popToMark())); // TUPLE
            case 'l' -> push(new ArrayList<>(popToMark())); // LIST
            case 'd' -> push(putAll(new LinkedHashMap<>(), popToMark())); // DICT
            case 's' -> setItems(popN(2)); // SETITEM
            case 'u' -> setItems(popToMark()); // SETITEMS
            case 'a' -> append(popN(1)); // APPEND
            case 'e' -> append(popToMark()); // APPENDS
            default -> {
                return false;
            }
        }
        return true;
    }

    private boolean stackOrMemo(int op) {
        switch (op) {
            case '(' -> marks.push(stack.size()); // MARK
            case '0' -> pop(); // POP
            case '1' -> popToMark(); // POP_MARK
            case '2' -> push(peek()); // DUP
            case 'q' -> memo.put(in.unsigned(1), peek()); // BINPUT
            case 'r' -> memo.put(in.unsigned(4), peek()); // LONG_BINPUT
            case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
            case 'h' -> push(memoGet(in.unsigned(1))); // BINGET
            case 'j' -> push(memoGet(in.unsigned(4))); // LONG_BINGET
            default -> {
                return false;
            }
        }
        return true;
    }

    private boolean object(int op) {
        switch (op) {
            case 'c' -> push(globals.resolve(in.line(), in.line())); // GLOBAL
            case 0x93 -> { // STACK_GLOBAL
                List<Object> names = popN(2);
                push(globals.resolve(string(names.get(0)), string(names.get(1))));
            }
            case 'R' -> { // REDUCE
                List<Object> args = asTuple(pop());
                push(callable(pop()).call(args));
            }
            case 'b' -> build(pop()); // BUILD
            case 'Q' -> push(globals.persistentLoad(pop())); // BINPERSID
            default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * BUILD sets an object's state. torch.save emits it only for a state dict's {@code _metadata}
     * attribute (per-module versions), which a loader of raw tensors has no use for.
     */
    private void build(Object state) {
        if (!(peek() instanceof Map)) {
            throw new PickleException("BUILD on " + describe(peek()) + " is not supported");
        }
    }

    // --- stack, marks and memo -------------------------------------------------------------

    private void push(Object value) {
        stack.add(value);
    }

    /** Like CPython's unpickler, values below the innermost MARK are out of reach until it is popped. */
    private int fence() {
        return marks.isEmpty() ? 0 : marks.peek();
    }

    private Object peek() {
        if (stack.size() <= fence()) {
            throw new PickleException("pickle stack underflow at byte " + in.position());
        }
        return stack.get(stack.size() - 1);
    }

    private Object pop() {
        return popN(1).get(0);
    }

    private List<Object> popN(int n) {
        if (stack.size() - n < fence()) {
            throw new PickleException("pickle stack underflow at byte " + in.position());
        }
        return cut(stack.size() - n);
    }

    private List<Object> popToMark() {
        if (marks.isEmpty()) {
            throw new PickleException("pickle has no MARK to pop to at byte " + in.position());
        }
        return cut(marks.pop());
    }

    private List<Object> cut(int from) {
        List<Object> tail = stack.subList(from, stack.size());
        List<Object> removed = new ArrayList<>(tail);
        tail.clear();
        return removed;
    }

    private Object memoGet(long index) {
        if (!memo.containsKey(index)) {
            throw new PickleException("pickle reads memo slot " + index + " that was never written");
        }
        return memo.get(index);
    }

    // --- typed views of stack values ---------------------------------------------------------

    /** SETITEM(S): the items were popped first; the dict they go into is now on top. */
    @SuppressWarnings("unchecked")
    private void setItems(List<Object> keysAndValues) {
        if (!(peek() instanceof Map)) {
            throw new PickleException("SETITEM(S) on " + describe(peek()) + ", expected a dict");
        }
        putAll((Map<Object, Object>) peek(), keysAndValues);
    }

    @SuppressWarnings("unchecked")
    private void append(List<Object> items) {
        if (!(peek() instanceof ArrayList)) {
            throw new PickleException("APPEND(S) on " + describe(peek()) + ", expected a list");
        }
        ((List<Object>) peek()).addAll(items);
    }

    private static Map<Object, Object> putAll(Map<Object, Object> dict, List<Object> keysAndValues) {
        if (keysAndValues.size() % 2 != 0) {
            throw new PickleException("dict items come in key/value pairs, got " + keysAndValues.size());
        }
        for (int i = 0; i < keysAndValues.size(); i += 2) {
            Object key = keysAndValues.get(i);
            // Scalars only: a list key could contain itself, and hashing it would never end.
            if (!(key == null || key instanceof String || key instanceof Long || key instanceof Boolean)) {
                throw new PickleException("dict key of type " + describe(key) + " is not supported");
            }
            dict.put(key, keysAndValues.get(i + 1));
        }
        return dict;
    }

    private static List<Object> tuple(List<Object> items) {
        return Collections.unmodifiableList(new ArrayList<>(items));
    }

    private static List<Object> asTuple(Object value) {
        if (!(value instanceof List<?> list) || value instanceof ArrayList) {
            throw new PickleException("REDUCE arguments must be a tuple, got " + describe(value));
        }
        return new ArrayList<>(list);
    }

    private static PickleFunction callable(Object value) {
        if (!(value instanceof PickleFunction function)) {
            throw new PickleException("REDUCE calls " + describe(value) + ", which is not callable");
        }
        return function;
    }

    private static String string(Object value) {
        if (!(value instanceof String s)) {
            throw new PickleException("expected a string, got " + describe(value));
        }
        return s;
    }

    /** A value's kind in Python's words, for error messages; never its contents, which may be huge or cyclic. */
    static String describe(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof ArrayList) {
            return "list";
        }
        if (value instanceof List) {
            return "tuple";
        }
        if (value instanceof Map) {
            return "dict";
        }
        if (value instanceof PickleFunction) {
            return "function";
        }
        return value instanceof Long ? "int" : value.getClass().getSimpleName();
    }
}
