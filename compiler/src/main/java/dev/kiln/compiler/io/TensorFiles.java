package dev.kiln.compiler.io;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.importer.onnx.OnnxTensors;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.TensorProto;
import dev.kiln.compiler.ir.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Input and output tensor files: NumPy {@code .npy}, or ONNX TensorProto {@code .pb} (the ONNX test-data format). */
public final class TensorFiles {
  private TensorFiles() {}

  public static Tensor read(Path file) {
    String name = file.getFileName() == null ? "" : file.getFileName().toString();
    if (name.endsWith(".pb")) {
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(file);
      } catch (NoSuchFileException e) {
        throw new KilnException(file + ": no such file");
      } catch (IOException e) {
        throw new KilnException(file + ": cannot read: " + e.getMessage());
      }
      try {
        return OnnxTensors.decode(TensorProto.parseFrom(bytes), file.toString(), null);
      } catch (InvalidProtocolBufferException e) {
        throw new KilnException(file + ": not a valid ONNX TensorProto");
      }
    }
    return Npy.read(file);
  }

  /** Writes {@code .pb} as a TensorProto and anything else as {@code .npy}, atomically. */
  public static void write(Path file, Tensor t, String tensorName) {
    String name = file.getFileName() == null ? "" : file.getFileName().toString();
    if (name.endsWith(".pb")) {
      AtomicFiles.write(file, OnnxTensors.encode(tensorName, t).toByteArray());
    } else {
      Npy.write(file, t);
    }
  }
}
