package dev.speculators.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * How every command reports an error: one line on stderr that says what went wrong and where (the
 * command's name first), a non-zero exit, and the stack trace only with {@code --verbose}.
 * Installed once on the root command, so the commands themselves only throw.
 */
public final class CliErrors
    implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {

  /** The option that adds stack traces; every command has it (run's also shows worker logs). */
  static final String VERBOSE = "--verbose";

  /** Exceptions that only carry their cause across an API boundary. */
  private static final List<Class<? extends Throwable>> WRAPPERS =
      List.of(
          UncheckedIOException.class,
          ExecutionException.class,
          CompletionException.class,
          InvocationTargetException.class,
          UndeclaredThrowableException.class);

  /** Bugs rather than bad input: reported as internal errors. */
  private static final List<Class<? extends Throwable>> PROGRAMMING_ERRORS =
      List.of(
          NullPointerException.class,
          ClassCastException.class,
          IndexOutOfBoundsException.class,
          ArithmeticException.class,
          ArrayStoreException.class,
          NoSuchElementException.class,
          ConcurrentModificationException.class,
          UnsupportedOperationException.class,
          AssertionError.class,
          StackOverflowError.class,
          LinkageError.class);

  private static volatile boolean verbose;

  private CliErrors() {}

  /**
   * Gives every command of the tree a {@code --verbose} option (where it has none of its own) and
   * routes all errors through one-line reporting.
   */
  static CommandLine install(CommandLine root) {
    addVerbose(root);
    CliErrors handler = new CliErrors();
    root.setExecutionExceptionHandler(handler);
    root.setParameterExceptionHandler(handler);
    CommandLine.IExecutionStrategy run = new CommandLine.RunLast();
    root.setExecutionStrategy(
        parseResult -> {
          verbose = verboseRequested(parseResult);
          return run.execute(parseResult);
        });
    return root;
  }

  /** Whether the command being run asked for stack traces (for code outside picocli's handlers). */
  public static boolean verbose() {
    return verbose;
  }

  private static void addVerbose(CommandLine command) {
    CommandSpec spec = command.getCommandSpec();
    if (command.getCommand() instanceof CommandLine.HelpCommand) {
      return;
    }
    if (spec.parent() != null && spec.findOption(VERBOSE) == null) {
      spec.addOption(
          OptionSpec.builder(VERBOSE)
              .type(boolean.class)
              .arity("0")
              .description("On an error, also print its stack trace")
              .build());
    }
    command.getSubcommands().values().forEach(CliErrors::addVerbose);
  }

  private static boolean verboseRequested(ParseResult result) {
    for (ParseResult r = result; r != null; r = r.subcommand()) {
      if (r.hasMatchedOption(VERBOSE)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public int handleExecutionException(
      Exception error, CommandLine command, ParseResult parseResult) {
    PrintWriter err = command.getErr();
    err.println(name(command) + ": " + describe(error));
    if (verboseRequested(parseResult)) {
      error.printStackTrace(err);
    }
    err.flush();
    return command.getExitCodeExceptionMapper() != null
        ? command.getExitCodeExceptionMapper().getExitCode(error)
        : command.getCommandSpec().exitCodeOnExecutionException();
  }

  @Override
  public int handleParseException(CommandLine.ParameterException error, String[] args) {
    CommandLine command = error.getCommandLine();
    String name = name(command);
    StringBuilder line = new StringBuilder(name).append(": ").append(oneLine(error.getMessage()));
    if (error instanceof CommandLine.UnmatchedArgumentException unmatched) {
      List<String> suggestions = unmatched.getSuggestions();
      if (!suggestions.isEmpty()) {
        line.append("; did you mean ")
            .append(suggestions.stream().limit(3).collect(Collectors.joining(" or ")))
            .append('?');
      }
    }
    line.append(" (see ").append(name).append(" --help)");
    PrintWriter err = command.getErr();
    err.println(line);
    err.flush();
    return command.getCommandSpec().exitCodeOnInvalidInput();
  }

  /** The command as typed after the jar: {@code train}, {@code eval analyze-log}. */
  static String name(CommandLine command) {
    CommandSpec spec = command.getCommandSpec();
    return spec.parent() == null ? spec.name() : spec.qualifiedName(" ").replaceFirst("^\\S+ ", "");
  }

  /** One line that says what went wrong: the message of the cause that has one. */
  static String describe(Throwable error) {
    Throwable e = unwrap(error);
    if (e instanceof NoSuchFileException f) {
      return file(f) + ": no such file or directory";
    }
    if (e instanceof AccessDeniedException f) {
      return file(f) + ": permission denied";
    }
    if (e instanceof FileAlreadyExistsException f) {
      // createDirectories on a path whose parent is a file fails this way
      return file(f)
          + (Files.isRegularFile(Path.of(f.getFile()))
              ? ": is a file, not a directory"
              : ": already exists");
    }
    if (e instanceof NotDirectoryException f) {
      return file(f) + ": not a directory";
    }
    if (e instanceof DirectoryNotEmptyException f) {
      return file(f) + ": directory not empty";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return file(f) + ": " + oneLine(f.getReason());
    }
    if (e instanceof OutOfMemoryError) {
      return "out of memory ("
          + oneLine(String.valueOf(e.getMessage()))
          + "): give the JVM more heap (-Xmx) or direct memory (-XX:MaxDirectMemorySize)";
    }
    if (isProgrammingError(e)) {
      StackTraceElement at = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
      return "internal error: "
          + e.getClass().getSimpleName()
          + (e.getMessage() != null ? " (" + oneLine(e.getMessage()) + ")" : "")
          + (at != null ? " at " + at.getClassName() + "." + at.getMethodName() : "")
          + "; please report it with the output of --verbose";
    }
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : oneLine(message);
  }

  /** Wrappers and causes that add nothing are looked through. */
  private static Throwable unwrap(Throwable error) {
    Throwable e = error;
    while (e.getCause() != null && e.getCause() != e && addsNothing(e)) {
      e = e.getCause();
    }
    return e;
  }

  private static boolean addsNothing(Throwable e) {
    return isAny(e, WRAPPERS)
        || e.getMessage() == null
        || e.getMessage().equals(e.getCause().toString());
  }

  private static boolean isProgrammingError(Throwable e) {
    return isAny(e, PROGRAMMING_ERRORS);
  }

  private static boolean isAny(Throwable e, List<Class<? extends Throwable>> types) {
    return types.stream().anyMatch(type -> type.isInstance(e));
  }

  private static String file(FileSystemException f) {
    return f.getOtherFile() == null ? f.getFile() : f.getFile() + " -> " + f.getOtherFile();
  }

  /** The stack trace, as {@code printStackTrace} writes it. */
  static String stackTrace(Throwable error) {
    StringWriter s = new StringWriter();
    error.printStackTrace(new PrintWriter(s));
    return s.toString().stripTrailing();
  }

  /** A message of several lines as one: its non-blank lines, trimmed, joined with "; ". */
  static String oneLine(String message) {
    if (message == null) {
      return "";
    }
    return Arrays.stream(message.split("\\R"))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.joining("; "));
  }
}
