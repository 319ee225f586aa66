package org.initrdharness.scenarios.matrix;

import java.util.ArrayList;
import java.util.List;

/**
 * Shard {@code index} of {@code count} (1-based, "2/4"): cells are sorted by name and dealt
 * round-robin, so N CI machines given 1/N..N/N run every cell exactly once, whatever the order
 * the catalogue lists them in.
 */
public record Shard(int index, int count) {
    public static final Shard ALL = new Shard(1, 1);

    public Shard {
        if (count < 1 || index < 1 || index > count) {
            throw new IllegalArgumentException("--shard must be I/N with 1 <= I <= N, not " + index + "/" + count);
        }
    }

    public static Shard parse(String text) {
        String[] parts = text.trim().split("/");
        if (parts.length != 2) {
            throw new IllegalArgumentException("--shard must look like 1/2 (this machine's shard / number of shards), not '" + text + "'");
        }
        try {
            return new Shard(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--shard must look like 1/2, not '" + text + "'");
        }
    }

    public List<MatrixCell> select(List<MatrixCell> cells) {
        List<MatrixCell> sorted = new ArrayList<>(cells);
        sorted.sort(null);
        List<MatrixCell> mine = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            if (i % count == index - 1) mine.add(sorted.get(i));
        }
        return mine;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
