package org.initrdharness.vm.console;

/** What the {@link LineAssembler} makes of the guest's output: complete, cleaned, redacted lines. */
sealed interface LineEvent {

    ConsoleLine line();

    /** A line ended: at its newline, at {@link Console#MAX_LINE}, or when the console closed. */
    record Completed(ConsoleLine line) implements LineEvent {}

    /**
     * A kernel message that cut into the partial line {@code from} at offset {@code at} became
     * {@code line}; the partial line keeps its id and its text before {@code at}, and whoever read
     * past {@code at} in it has read into {@code line}.
     */
    record SplitOff(ConsoleLine line, long from, int at) implements LineEvent {}
}
