package dev.speculators.io.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What this process adds to a cache volume is group-writable, so the other users of the pods' group
 * (vLLM, the eval container) can add files and take locks beside it.
 */
class HubCacheSharingTest {

  @Test
  void filesAndFoldersBelowTheRootBecomeGroupWritableTheRootStaysAsItIs(@TempDir Path root)
      throws Exception {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path lock = root.resolve(".locks/models--org--m/abc.lock");
    Files.createDirectories(
        lock.getParent(),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Files.setPosixFilePermissions(
        root.resolve(".locks"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createFile(
        lock, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));

    new HubCache(root).share(lock);

    assertThat(Files.getPosixFilePermissions(lock))
        .contains(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE)
        .doesNotContain(PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_WRITE);
    for (Path dir : new Path[] {lock.getParent(), root.resolve(".locks")}) {
      assertThat(Files.getPosixFilePermissions(dir))
          .contains(
              PosixFilePermission.GROUP_READ,
              PosixFilePermission.GROUP_WRITE,
              PosixFilePermission.GROUP_EXECUTE);
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root)))
        .isEqualTo("rwxr-xr-x");
  }
}
