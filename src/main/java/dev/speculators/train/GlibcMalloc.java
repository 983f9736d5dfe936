package dev.speculators.train;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import java.util.Locale;

/**
 * Makes glibc's allocator hand freed tensor memory back to the system at once. libtorch allocates
 * CPU tensors with plain {@code malloc}; glibc serves blocks below its mmap threshold from heap
 * arenas and raises that threshold by itself up to 32 MiB as large blocks are freed, so the [T,
 * H]-sized tensors of a training step end up in arenas that fragment and are not returned: the
 * resident set grew by ~0.9 GiB over the first steps at T = 2048 and stayed there. With a fixed
 * threshold every tensor from 1 MiB up gets its own mapping, released when freed; small blocks stay
 * in the arenas. Same as starting the JVM with {@code MALLOC_MMAP_THRESHOLD_=1048576}.
 */
public final class GlibcMalloc {
  /** Blocks of at least this many bytes are mapped individually and unmapped on free. */
  public static final int MMAP_THRESHOLD = 1 << 20;

  private static final int M_MMAP_THRESHOLD = -3;

  private GlibcMalloc() {}

  /**
   * Applies {@link #MMAP_THRESHOLD} to this process; returns a line for the log. Does nothing (and
   * says so) where the C library is not glibc.
   */
  public static String returnLargeBlocksToTheSystem() {
    try {
      Function mallopt = NativeLibrary.getInstance("c").getFunction("mallopt");
      int ok = mallopt.invokeInt(new Object[] {M_MMAP_THRESHOLD, MMAP_THRESHOLD});
      return ok == 1
          ? String.format(
              Locale.ROOT, "malloc: blocks >= %d KiB are unmapped when freed", MMAP_THRESHOLD >> 10)
          : "malloc: mallopt refused the mmap threshold; using the C library's defaults";
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      return "malloc: no glibc mallopt (" + e.getMessage() + "); using the C library's defaults";
    }
  }
}
