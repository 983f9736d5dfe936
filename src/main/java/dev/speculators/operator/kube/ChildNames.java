package dev.speculators.operator.kube;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic names of child objects: {@code <owner>-<suffix>}, so that an operator restart finds
 * what it created before instead of creating it again. Names that would be too long are cut and end
 * in a hash of the full name, which keeps them unique and stable.
 *
 * <p>The limit is 52 characters: a Job's pods are named {@code <job>-<index>-<random 5>} and
 * Indexed Job pods get the hostname {@code <job>-<index>}, both within 63.
 */
public final class ChildNames {
  /** Longest name of a child object. */
  public static final int MAX_LENGTH = 52;

  private ChildNames() {}

  /** The name of the child of {@code owner} with the given suffix. */
  public static String of(String owner, String suffix) {
    String full = owner + "-" + suffix;
    if (full.length() <= MAX_LENGTH) {
      return full;
    }
    String hash = hash(full);
    int keep = MAX_LENGTH - suffix.length() - hash.length() - 2;
    String head = owner.substring(0, Math.max(1, keep));
    while (head.endsWith("-") || head.endsWith(".")) {
      head = head.substring(0, head.length() - 1);
    }
    return head + "-" + hash + "-" + suffix;
  }

  private static String hash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
