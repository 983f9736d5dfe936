package dev.speculators.datagen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of the inputs that determine a dataset's content: the key for reusing it. The inputs are
 * a JSON object written with sorted keys and no whitespace, so the hash does not depend on field
 * order or formatting.
 */
public final class ContentHash {
  private static final ObjectMapper CANONICAL =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private ContentHash() {}

  /** {@code "sha256:<hex>"} of the canonical form of {@code inputs}. */
  public static String of(JsonNode inputs) {
    try {
      Object plain = CANONICAL.treeToValue(inputs, Object.class);
      byte[] bytes = CANONICAL.writeValueAsBytes(plain);
      return "sha256:" + hex(digest().digest(bytes));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String sha256(Path file) throws IOException {
    MessageDigest md = digest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        md.update(buf, 0, n);
      }
    }
    return hex(md.digest());
  }

  public static String sha256(String text) {
    return hex(digest().digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  public static String sha256(long[] values) {
    MessageDigest md = digest();
    for (long v : values) {
      for (int i = 0; i < 8; i++) {
        md.update((byte) (v >>> (8 * i)));
      }
    }
    return hex(md.digest());
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
