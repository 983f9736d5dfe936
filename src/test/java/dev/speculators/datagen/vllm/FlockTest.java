package dev.speculators.datagen.vllm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlockTest {
  @TempDir Path dir;

  @Test
  void missingLockFileMeansNoWriter() throws Exception {
    assertThat(Flock.shared(dir.resolve("none.lock"), 10)).isNull();
  }

  @Test
  void sharedWaitsForAnExclusiveHolderInThisProcess() throws Exception {
    Path lock = dir.resolve("a.lock");
    Flock writer = Flock.exclusive(lock, 100);
    assertThatThrownBy(() -> Flock.shared(lock, 50))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("still holds");
    Thread releaser =
        new Thread(
            () -> {
              try {
                Thread.sleep(100);
              } catch (InterruptedException ignored) {
                // released below anyway
              }
              writer.close();
            });
    releaser.start();
    try (Flock reader = Flock.shared(lock, 5000)) {
      assertThat(reader).isNotNull();
      assertThat(releaser.isAlive()).as("acquired only after the writer let go").isFalse();
    }
    releaser.join();
    try (Flock a = Flock.shared(lock, 10);
        Flock b = Flock.shared(lock, 10)) {
      assertThat(a).isNotNull();
      assertThat(b).as("shared locks coexist").isNotNull();
    }
  }

  /** The writer is another process using flock(1): the same kind of lock vLLM's connector takes. */
  @Test
  void sharedWaitsForAnotherProcessHoldingFlock() throws Exception {
    assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/flock")) || Files.isExecutable(Path.of("/bin/flock")),
        "flock(1) not installed");
    Path lock = dir.resolve("b.lock");
    Path started = dir.resolve("started");
    Path done = dir.resolve("done");
    assertThat(Flock.shared(dir.resolve("absent"), 1))
        .isNull(); // loads libc through JNA before the clock matters
    Process p =
        new ProcessBuilder(
                "flock",
                "-x",
                lock.toString(),
                "sh",
                "-c",
                "touch " + started + "; sleep 2; touch " + done)
            .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!Files.exists(started) && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(started).exists();
      assertThatThrownBy(() -> Flock.shared(lock, 20)).hasMessageContaining("still holds");
      try (Flock reader = Flock.shared(lock, 10_000)) {
        assertThat(reader).isNotNull();
        assertThat(done).as("the lock came free only after the holder finished").exists();
      }
    } finally {
      p.destroy();
      p.waitFor();
    }
  }

  /** Why JNA: Java's FileChannel lock is a POSIX record lock and does not see a flock holder. */
  @Test
  void javaFileLockDoesNotSeeFlock() throws Exception {
    Path lock = dir.resolve("c.lock");
    try (Flock writer = Flock.exclusive(lock, 100);
        FileChannel ch =
            FileChannel.open(lock, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      FileLock l = ch.tryLock(0, Long.MAX_VALUE, true);
      assertThat(l).as("fcntl lock granted although flock(LOCK_EX) is held").isNotNull();
      l.release();
    }
  }
}
