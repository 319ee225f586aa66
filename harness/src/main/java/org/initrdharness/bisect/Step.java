package org.initrdharness.bisect;

import java.util.SortedSet;

/**
 * One boot of the search.
 *
 * @param number    1, 2, ... in boot order
 * @param why       what the boot asks ("the good initrd", "first half of 200", "again: ...")
 * @param requested the deltas the search asked for
 * @param taken     the deltas the hybrid took (requested and what keeps its tree whole)
 * @param verdict   what the boot said
 * @param again     a second boot of a set already booted, because its verdict disagreed
 */
public record Step(int number, String why, SortedSet<Integer> requested, SortedSet<Integer> taken, Verdict verdict,
                   boolean again) {}
