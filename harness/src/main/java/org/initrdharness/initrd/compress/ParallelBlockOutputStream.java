package org.initrdharness.initrd.compress;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Cuts its input into blocks of a fixed size and compresses up to {@code threads} of them at
 * once, writing the results in input order. Block boundaries depend on the input only, so the
 * output is the same bytes for any number of threads. Subclasses say how a block is compressed
 * and what comes before and after the blocks.
 *
 * @param <R> what compressing one block gives
 */
abstract class ParallelBlockOutputStream<R> extends OutputStream {
    private final OutputStream out;
    private final String format;
    private final int blockSize;
    private final int threads;
    private final ExecutorService pool; // null: blocks are compressed on the writer's thread
    private final ArrayDeque<Future<R>> pending = new ArrayDeque<>();
    private byte[] block;
    private int filled;
    private boolean closed;

    protected ParallelBlockOutputStream(OutputStream out, String format, int blockSize, int threads) {
        this.out = out;
        this.format = format;
        this.blockSize = blockSize;
        this.threads = Math.max(1, threads);
        this.block = new byte[blockSize];
        this.pool = this.threads == 1 ? null : Executors.newFixedThreadPool(this.threads, r -> {
            Thread t = new Thread(r, format + " block");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The work of compressing one block. Called on the writer's thread in input order, so it may
     * carry state from block to block (a dictionary); the returned work runs on a worker.
     */
    protected abstract Callable<R> task(byte[] input, int length, boolean last);

    /** Writes one compressed block, in input order. */
    protected abstract void emit(R compressed, OutputStream out) throws IOException;

    /** Writes what follows the last block (trailer, index). */
    protected void finish(OutputStream out) throws IOException {
    }

    /** Sees every input byte in order, for checks over the whole stream. */
    protected void consumed(byte[] b, int off, int len) {
    }

    /** Whether an empty last block is still compressed (a stream that needs an end mark). */
    protected boolean compressEmptyLastBlock() {
        return false;
    }

    @Override
    public final void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public final void write(byte[] b, int off, int len) throws IOException {
        if (closed) throw new IOException(format + " stream already closed");
        consumed(b, off, len);
        while (len > 0) {
            int n = Math.min(len, blockSize - filled);
            System.arraycopy(b, off, block, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == blockSize) submit(false);
        }
    }

    private void submit(boolean last) throws IOException {
        if (filled == 0 && !(last && compressEmptyLastBlock())) return;
        Callable<R> work = task(block, filled, last);
        if (pool == null) {
            emit(run(work), out);
        } else {
            pending.add(pool.submit(work));
            block = new byte[blockSize];
            while (pending.size() > threads) writePending();
        }
        filled = 0;
    }

    private R run(Callable<R> work) throws IOException {
        try {
            return work.call();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(format + " compression failed: " + e, e);
        }
    }

    private void writePending() throws IOException {
        try {
            emit(pending.remove().get(), out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while compressing " + format + " blocks");
        } catch (ExecutionException e) {
            throw new IOException(format + " compression failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public final void close() throws IOException {
        if (closed) return;
        try {
            submit(true);
            while (!pending.isEmpty()) writePending();
            finish(out);
        } finally {
            closed = true;
            if (pool != null) pool.shutdownNow();
            out.close();
        }
    }

    static void writeIntLE(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }
}
