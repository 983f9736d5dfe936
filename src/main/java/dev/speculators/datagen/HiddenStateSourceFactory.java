package dev.speculators.datagen;

import java.io.IOException;

/**
 * Opens an in-process {@link HiddenStateSource} for {@code --engine reference}. Implementations
 * register through {@link java.util.ServiceLoader} ({@code
 * META-INF/services/dev.speculators.datagen.HiddenStateSourceFactory}), which keeps the worker free
 * of any dependency on the engine's code.
 */
public interface HiddenStateSourceFactory {

  /** The engine name this factory serves ({@code "reference"}). */
  String engine();

  HiddenStateSource open(TargetModel model, DatagenOptions options) throws IOException;
}
