package dev.kiln.compiler.ir;

import dev.kiln.compiler.KilnException;

/**
 * Element types Kiln computes with: float32 for activations and weights, int64/int32 (and bool) for the
 * shape tensors exporters leave behind. Integer and bool data is held as {@code long[]}.
 */
public enum DType {
  FLOAT32(1, 4, "float32"),
  INT64(7, 8, "int64"),
  INT32(6, 4, "int32"),
  BOOL(9, 1, "bool");

  private final int onnxCode;
  private final int byteSize;
  private final String displayName;

  DType(int onnxCode, int byteSize, String displayName) {
    this.onnxCode = onnxCode;
    this.byteSize = byteSize;
    this.displayName = displayName;
  }

  /** The {@code TensorProto.DataType} number. */
  public int onnxCode() {
    return onnxCode;
  }

  public int byteSize() {
    return byteSize;
  }

  public boolean isFloat() {
    return this == FLOAT32;
  }

  @Override
  public String toString() {
    return displayName;
  }

  /** Parses the display name ("float32", "int64", ...), as written by the printer and the JSON format. */
  public static DType fromName(String name) {
    for (DType t : values()) {
      if (t.displayName.equals(name)) {
        return t;
      }
    }
    throw new KilnException("unknown data type '" + name + "' (expected float32, int64, int32 or bool)");
  }

  public static DType fromOnnx(int code) {
    for (DType t : values()) {
      if (t.onnxCode == code) {
        return t;
      }
    }
    throw new KilnException(
        "data type " + onnxTypeName(code) + " is not supported (Kiln computes in float32, with int64/int32/bool shape tensors)");
  }

  /** ONNX's name for a {@code TensorProto.DataType} number, for error messages. */
  public static String onnxTypeName(int code) {
    String[] names = {
      "UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING", "BOOL",
      "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16",
      "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4", "INT4"
    };
    return code >= 0 && code < names.length ? names[code] + " (" + code + ")" : "#" + code;
  }
}
