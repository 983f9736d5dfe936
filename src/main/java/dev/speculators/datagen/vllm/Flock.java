package dev.speculators.datagen.vllm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Path;

/**
 * BSD {@code flock(2)} locks through JNA. vLLM's hidden-states connector holds {@code
 * flock(LOCK_EX)} on {@code <file>.lock} while it writes; a reader must take {@code LOCK_SH}.
 * Java's {@code FileChannel.lock} cannot be used: on Linux it takes fcntl (POSIX record) locks,
 * which do not interact with flock locks at all, so it would never wait for the writer.
 */
public final class Flock implements AutoCloseable {
  private static final int O_RDONLY = 0;
  private static final int O_RDWR = 2;
  private static final int O_CREAT = 0100;
  private static final int LOCK_SH = 1;
  private static final int LOCK_EX = 2;
  private static final int LOCK_NB = 4;
  private static final int LOCK_UN = 8;
  private static final int EWOULDBLOCK = 11;
  private static final int ENOENT = 2;

  /** The three libc calls, declared to raise errno as {@link LastErrorException}. */
  interface CLib extends Library {
    int open(String path, int flags, int mode) throws LastErrorException;

    int flock(int fd, int operation) throws LastErrorException;

    int close(int fd) throws LastErrorException;
  }

  private static final class Holder {
    static final CLib C = Native.load("c", CLib.class);
  }

  private final int fd;
  private final Path path;

  private Flock(int fd, Path path) {
    this.fd = fd;
    this.path = path;
  }

  /**
   * Waits up to {@code timeoutMillis} for a shared lock on an existing file.
   *
   * @return the held lock, or null when the file does not exist
   * @throws IOException when the lock is still held by a writer after the timeout
   */
  public static Flock shared(Path path, long timeoutMillis)
      throws IOException, InterruptedException {
    int fd;
    try {
      fd = Holder.C.open(path.toString(), O_RDONLY, 0);
    } catch (LastErrorException e) {
      if (e.getErrorCode() == ENOENT) {
        return null;
      }
      throw new IOException("cannot open " + path + ": errno " + e.getErrorCode(), e);
    }
    return acquire(fd, path, LOCK_SH, timeoutMillis);
  }

  /** Creates {@code path} if needed and takes an exclusive lock (what the vLLM connector does). */
  public static Flock exclusive(Path path, long timeoutMillis)
      throws IOException, InterruptedException {
    int fd;
    try {
      fd = Holder.C.open(path.toString(), O_RDWR | O_CREAT, 0644);
    } catch (LastErrorException e) {
      throw new IOException("cannot open " + path + ": errno " + e.getErrorCode(), e);
    }
    return acquire(fd, path, LOCK_EX, timeoutMillis);
  }

  private static Flock acquire(int fd, Path path, int op, long timeoutMillis)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    long sleepMicros = 200; // grows by half each time: waits stay within ~50% of the writer's time
    try {
      while (true) {
        try {
          Holder.C.flock(fd, op | LOCK_NB);
          return new Flock(fd, path);
        } catch (LastErrorException e) {
          if (e.getErrorCode() != EWOULDBLOCK) {
            throw new IOException("flock " + path + ": errno " + e.getErrorCode(), e);
          }
        }
        if (System.nanoTime() >= deadline) {
          throw new IOException(
              "the writer still holds " + path + " after " + timeoutMillis + " ms");
        }
        Thread.sleep(sleepMicros / 1000, (int) (sleepMicros % 1000) * 1000);
        sleepMicros = Math.min(sleepMicros * 3 / 2, 50_000);
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      closeQuietly(fd);
      throw e;
    }
  }

  public Path path() {
    return path;
  }

  @Override
  public void close() {
    try {
      Holder.C.flock(fd, LOCK_UN);
    } catch (LastErrorException ignored) {
      // closing the descriptor releases the lock anyway
    }
    closeQuietly(fd);
  }

  private static void closeQuietly(int fd) {
    try {
      Holder.C.close(fd);
    } catch (LastErrorException ignored) {
      // nothing left to release
    }
  }
}
