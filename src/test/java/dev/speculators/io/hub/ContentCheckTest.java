package dev.speculators.io.hub;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentCheckTest {
  @TempDir Path dir;

  @Test
  void gitBlobEtagsOfSmallFilesAreVerified() throws IOException {
    // `git hash-object` of "hello\n"
    Path f = write("hello\n");
    ContentCheck ok = ContentCheck.forEtag("ce013625030ba8dba906f756967f9e9ca394464a", 6);
    assertThatCode(() -> ok.verify("f", f)).doesNotThrowAnyException();

    ContentCheck bad = ContentCheck.forEtag("ce013625030ba8dba906f756967f9e9ca394464b", 6);
    assertThatThrownBy(() -> bad.verify("f", f)).hasMessageContaining("checksum mismatch");
  }

  @Test
  void sha256EtagsOfLfsFilesAreVerifiedAcrossAResume() throws IOException {
    String sha = FakeHubServer.hex("SHA-256", "hello\n".getBytes(StandardCharsets.UTF_8));
    Path f = write("hel");
    ContentCheck check = ContentCheck.forEtag(sha, 6);
    check.restart(f);
    byte[] rest = "lo\n".getBytes(StandardCharsets.UTF_8);
    Files.write(f, rest, java.nio.file.StandardOpenOption.APPEND);
    check.update(rest, 0, rest.length);
    assertThatCode(() -> check.verify("f", f)).doesNotThrowAnyException();
  }

  @Test
  void sizeIsCheckedForOpaqueEtags() throws IOException {
    Path f = write("hello\n");
    assertThatCode(() -> ContentCheck.forEtag("abc", 6).verify("f", f)).doesNotThrowAnyException();
    assertThatThrownBy(() -> ContentCheck.forEtag("abc", 7).verify("f", f))
        .hasMessageContaining("downloaded 6 bytes, the Hub announced 7");
  }

  private Path write(String s) throws IOException {
    Path f = dir.resolve("blob");
    Files.writeString(f, s, StandardCharsets.UTF_8);
    return f;
  }
}
