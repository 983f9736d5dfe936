package dev.speculators.train;

import java.util.List;

/**
 * The JVM options the trainer runs with: the trainer image's entry point, and the {@code bench}
 * command's trainer processes, so that the memory {@code bench} measures is the memory a training
 * pod uses.
 *
 * <p>Tensors never live on the Java heap: libtorch holds them, and weights, optimizer state and
 * checkpoints move between files and native memory without heap copies. The heap holds the
 * dataset's index (file names and lengths, a few hundred bytes per sample), the vocabulary counts
 * and per-step bookkeeping: 1 GiB leaves room for millions of samples, and the small initial heap
 * keeps the collector's young generation (whose pages all become resident) small. The serial
 * collector adds no threads and almost no native memory of its own. Direct memory holds the packed
 * rows ({@code (prefetch + 1) × T × L × H × 4} bytes per loader); the cap only bounds it.
 */
public final class TrainerJvm {
  /** In the order the trainer image's {@code ENTRYPOINT} lists them. */
  public static final List<String> OPTIONS =
      List.of("-XX:+UseSerialGC", "-Xms64m", "-Xmx1g", "-XX:MaxDirectMemorySize=16g");

  private TrainerJvm() {}
}
