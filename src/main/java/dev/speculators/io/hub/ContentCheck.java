package dev.speculators.io.hub;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Verifies downloaded bytes against what the Hub promised. The Hub's ETag is the SHA-256 of the
 * content for files stored in LFS (64 hex digits) and the git blob id for small files (40 hex
 * digits: SHA-1 over {@code "blob <size>\0"} followed by the content). Other ETags (a mirror's own)
 * are opaque, and then only the size is checked.
 */
final class ContentCheck {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern SHA1 = Pattern.compile("[0-9a-f]{40}");

  private final String etag;
  private final long expectedSize;
  private final String algorithm;
  private MessageDigest digest;
  private long digested;

  private ContentCheck(String etag, long expectedSize, String algorithm) {
    this.etag = etag;
    this.expectedSize = expectedSize;
    this.algorithm = algorithm;
  }

  /**
   * The check for a file with {@code etag} (may be null) and {@code expectedSize} (-1: unknown).
   */
  static ContentCheck forEtag(String etag, long expectedSize) {
    String algorithm = null;
    if (etag != null && SHA256.matcher(etag).matches()) {
      algorithm = "SHA-256";
    } else if (etag != null && expectedSize >= 0 && SHA1.matcher(etag).matches()) {
      algorithm = "SHA-1";
    }
    return new ContentCheck(etag, expectedSize, algorithm);
  }

  long expectedSize() {
    return expectedSize;
  }

  /**
   * Starts over: digests the bytes already in {@code partial} (a resumed download), or nothing when
   * {@code partial} is null (a download from the first byte).
   */
  void restart(Path partial) throws IOException {
    digested = 0;
    if (algorithm == null) {
      return;
    }
    try {
      digest = MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is part of every Java runtime", e);
    }
    if (algorithm.equals("SHA-1")) {
      digest.update(("blob " + expectedSize + "\0").getBytes(StandardCharsets.US_ASCII));
    }
    if (partial != null && Files.exists(partial)) {
      byte[] buf = new byte[1 << 16];
      try (InputStream in = Files.newInputStream(partial)) {
        int n;
        while ((n = in.read(buf)) > 0) {
          digest.update(buf, 0, n);
          digested += n;
        }
      }
    }
  }

  void update(byte[] buf, int off, int len) {
    digested += len;
    if (digest != null) {
      digest.update(buf, off, len);
    }
  }

  /** Throws when the size or the digest of the finished {@code file} differs from the promise. */
  void verify(String what, Path file) throws IOException {
    long actualSize = Files.size(file);
    if (algorithm != null && (digest == null || digested != actualSize)) {
      // Not streamed through this check (left complete by an earlier run): digest it now.
      restart(file);
    }
    if (expectedSize >= 0 && actualSize != expectedSize) {
      throw new HfHubException(
          what + ": downloaded " + actualSize + " bytes, the Hub announced " + expectedSize);
    }
    if (digest != null) {
      String actual = HexFormat.of().formatHex(digest.digest());
      if (!actual.equals(etag)) {
        throw new HfHubException(
            what
                + ": checksum mismatch ("
                + algorithm
                + " "
                + actual
                + ", ETag "
                + etag
                + "); the partial file was removed, run again to download it afresh");
      }
    }
  }
}
