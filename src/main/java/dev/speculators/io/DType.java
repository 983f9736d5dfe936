package dev.speculators.io;

import java.util.Locale;

/**
 * Element types of tensors in files, with their names in the three on-disk formats this package
 * speaks: safetensors ({@code "BF16"}), torch.save storages ({@code "BFloat16Storage"}) and numpy
 * {@code .npy} descriptors ({@code "<f4"}). All multi-byte types are little-endian on disk.
 */
public enum DType {
  F64(8, "F64", "DoubleStorage", "<f8", "float64", true),
  F32(4, "F32", "FloatStorage", "<f4", "float32", true),
  F16(2, "F16", "HalfStorage", "<f2", "float16", true),
  /** bfloat16; numpy has no such type, so it has no {@code .npy} descriptor. */
  BF16(2, "BF16", "BFloat16Storage", null, "bfloat16", true),
  I64(8, "I64", "LongStorage", "<i8", "int64", false),
  I32(4, "I32", "IntStorage", "<i4", "int32", false),
  I16(2, "I16", "ShortStorage", "<i2", "int16", false),
  I8(1, "I8", "CharStorage", "|i1", "int8", false),
  U8(1, "U8", "ByteStorage", "|u1", "uint8", false),
  BOOL(1, "BOOL", "BoolStorage", "|b1", "bool", false);

  private final int byteSize;
  private final String safetensorsName;
  private final String torchStorageName;
  private final String numpyDescr;
  private final String torchName;
  private final boolean floatingPoint;

  DType(
      int byteSize,
      String safetensorsName,
      String torchStorageName,
      String numpyDescr,
      String torchName,
      boolean floatingPoint) {
    this.byteSize = byteSize;
    this.safetensorsName = safetensorsName;
    this.torchStorageName = torchStorageName;
    this.numpyDescr = numpyDescr;
    this.torchName = torchName;
    this.floatingPoint = floatingPoint;
  }

  /** Bytes per element. */
  public int byteSize() {
    return byteSize;
  }

  /** The safetensors header name, e.g. {@code "F32"}, {@code "BF16"}, {@code "BOOL"}. */
  public String safetensorsName() {
    return safetensorsName;
  }

  /** The legacy torch storage class name torch.save writes, e.g. {@code "BFloat16Storage"}. */
  public String torchStorageName() {
    return torchStorageName;
  }

  /** The torch dtype attribute name, e.g. {@code "bfloat16"} for {@code torch.bfloat16}. */
  public String torchName() {
    return torchName;
  }

  /**
   * The little-endian numpy descriptor, e.g. {@code "<f4"}, {@code "|b1"}.
   *
   * @throws UnsupportedOperationException for {@link #BF16}, which numpy cannot represent
   */
  public String numpyDescr() {
    if (numpyDescr == null) {
      throw new UnsupportedOperationException(
          "numpy has no " + this + " type; convert the tensor to F32 before writing .npy");
    }
    return numpyDescr;
  }

  public boolean isFloatingPoint() {
    return floatingPoint;
  }

  /** Parses a safetensors dtype name. */
  public static DType fromSafetensors(String name) {
    for (DType t : values()) {
      if (t.safetensorsName.equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unsupported safetensors dtype '" + name + "'");
  }

  /** Parses a torch storage class name such as {@code "FloatStorage"}. */
  public static DType fromTorchStorage(String name) {
    for (DType t : values()) {
      if (t.torchStorageName.equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unsupported torch storage type '" + name + "'");
  }

  /**
   * Parses a torch dtype attribute name ({@code "float32"}, {@code "bfloat16"}) or one of its
   * aliases ({@code "float"}, {@code "half"}, {@code "long"}, {@code "int"}, ...).
   */
  public static DType fromTorchName(String name) {
    switch (name) {
      case "float":
        return F32;
      case "double":
        return F64;
      case "half":
        return F16;
      case "long":
        return I64;
      case "int":
        return I32;
      case "short":
        return I16;
      default:
        for (DType t : values()) {
          if (t.torchName.equals(name)) {
            return t;
          }
        }
        throw new IllegalArgumentException("unsupported torch dtype '" + name + "'");
    }
  }

  /**
   * Parses a numpy descriptor. Byte-order marks {@code '<'}, {@code '|'} and {@code '='} are
   * accepted; big-endian {@code '>'} is rejected because no reader here swaps bytes.
   */
  public static DType fromNumpyDescr(String descr) {
    if (descr.length() < 2) {
      throw new IllegalArgumentException("unsupported numpy dtype '" + descr + "'");
    }
    char order = descr.charAt(0);
    String code = descr.substring(1).toLowerCase(Locale.ROOT);
    if (order == '>' && !code.endsWith("1")) {
      throw new IllegalArgumentException(
          "big-endian numpy dtype '" + descr + "' is not supported; save it little-endian");
    }
    if (order != '<' && order != '|' && order != '=' && order != '>') {
      throw new IllegalArgumentException("unsupported numpy dtype '" + descr + "'");
    }
    for (DType t : values()) {
      if (t.numpyDescr != null && t.numpyDescr.substring(1).equals(code)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unsupported numpy dtype '" + descr + "'");
  }
}
