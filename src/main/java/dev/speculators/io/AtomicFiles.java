package dev.speculators.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.UUID;

/**
 * Writes that readers never see half-done: content goes to a temporary sibling first and is renamed
 * into place. A crash leaves either the old file or the new one, plus at most a {@code .tmp-*}
 * leftover that {@link #isTemporary(Path)} recognises.
 */
public final class AtomicFiles {
  private static final String TMP_MARKER = ".tmp-";

  private AtomicFiles() {}

  /** Receives the stream of the temporary file. */
  @FunctionalInterface
  public interface StreamWriter {
    void write(OutputStream out) throws IOException;
  }

  /** Receives the temporary file path. */
  @FunctionalInterface
  public interface PathWriter {
    void write(Path tmp) throws IOException;
  }

  public static void writeString(Path target, String content) throws IOException {
    writeBytes(target, content.getBytes(StandardCharsets.UTF_8));
  }

  public static void writeBytes(Path target, byte[] content) throws IOException {
    write(target, out -> out.write(content));
  }

  public static void write(Path target, StreamWriter writer) throws IOException {
    writeVia(
        target,
        tmp -> {
          try (OutputStream out = Files.newOutputStream(tmp)) {
            writer.write(out);
          }
        });
  }

  /**
   * Lets {@code writer} produce the file at a temporary path, then renames it to {@code target}.
   */
  public static void writeVia(Path target, PathWriter writer) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve(target.getFileName() + TMP_MARKER + UUID.randomUUID());
    try {
      writer.write(tmp);
      move(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Publishes a directory atomically: {@code filler} populates a temporary sibling, which then
   * replaces {@code target} (an existing {@code target} is removed first, so a reader sees the old
   * directory, nothing, or the complete new one — never a partial one).
   */
  public static void writeDirectory(Path target, PathWriter filler) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve(target.getFileName() + TMP_MARKER + UUID.randomUUID());
    Files.createDirectories(tmp);
    try {
      filler.write(tmp);
      if (Files.exists(target)) {
        deleteRecursively(target);
      }
      move(tmp, target);
    } finally {
      if (Files.exists(tmp)) {
        deleteRecursively(tmp);
      }
    }
  }

  /** True for the leftovers of an interrupted atomic write. */
  public static boolean isTemporary(Path p) {
    return p.getFileName().toString().contains(TMP_MARKER);
  }

  public static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
